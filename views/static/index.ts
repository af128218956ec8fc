import { stylesheet } from '../styles.js';
import { appScript } from './app-script.js';

/** Files served under /static/ from our own origin (the CSP allows nothing else). */
export const staticFiles: Record<string, { type: string; body: string }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: stylesheet },
  'app.js': { type: 'text/javascript; charset=utf-8', body: appScript },
};
