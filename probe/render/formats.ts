// The output formats' names, apart from their renderers: the CLI's --format choices need the names
// at start-up, and loading every renderer for them would slow every command's start.
export const FORMATS = ['text', 'json', 'markdown', 'html', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];
