import type { Dataset } from '../../../src/io/dataset.js';

/** The data set the app works on, and where it came from. */
export interface LoadedDataset {
  dataset: Dataset;
  /** Shown to the user: "Chinchilla (Epoch AI, 240 runs)", "runs.csv", "study s1". */
  label: string;
  origin: 'bundled' | 'upload' | 'study';
  /** Bundled data set id or study name, to mark the current choice. */
  key: string;
}
