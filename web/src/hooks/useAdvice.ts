/**
 * The loaded data's origin, for advice: set once where the data are loaded (App), read by every panel
 * that shows the library's messages, so none has to pass it on.
 */
import { createContext, useCallback, useContext } from 'react';
import { webAdvice, type DataOrigin, type PanelAdvice } from '../lib/advice.js';

/** Where the data that messages are about came from; an upload's when none is given. */
export const DataOriginContext = createContext<DataOrigin>('upload');

/** A panel that reads a file of its own says its own controls (compare, muP transfer); none elsewhere. */
export const PanelAdviceContext = createContext<PanelAdvice>({});

/** `webAdvice` for the data in view: advice that data of their origin, in this panel, can follow. */
export function useAdvice(): (message: string) => string {
  const origin = useContext(DataOriginContext);
  const panel = useContext(PanelAdviceContext);
  return useCallback((message: string) => webAdvice(message, origin, panel), [origin, panel]);
}
