/**
 * The loaded data's origin, for advice: set once where the data are loaded (App), read by every panel
 * that shows the library's messages, so none has to pass it on.
 */
import { createContext, useCallback, useContext } from 'react';
import { webAdvice, type DataOrigin } from '../lib/advice.js';

/** Where the data that messages are about came from; an upload's when none is given. */
export const DataOriginContext = createContext<DataOrigin>('upload');

/** `webAdvice` for the data in view: advice that data of their origin can follow. */
export function useAdvice(): (message: string) => string {
  const origin = useContext(DataOriginContext);
  return useCallback((message: string) => webAdvice(message, origin), [origin]);
}
