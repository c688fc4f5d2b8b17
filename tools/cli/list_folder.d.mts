export function listFolder(path: string): { root: string; files: string[]; folders: string[] };
