// Types of process-group.mjs, for the TypeScript sources that share it with bin/run-wrapper.mjs.
export declare const defaultGraceSeconds: number;
export declare function alive(pid: number): boolean;
export declare function groupAlive(pgid: number): boolean;
export declare function signalGroup(pgid: number, signal: NodeJS.Signals): boolean;
export declare function endGroup(pgid: number, graceSeconds?: number, pollMs?: number): Promise<boolean>;
