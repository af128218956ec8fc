import { stylesheet } from '../styles.js';
import { addOnScript } from './add-on-script.js';
import { appScript } from './app-script.js';

/** Files served under /static/ from our own origin (the CSP allows nothing else). */
export const staticFiles: Record<string, { type: string; body: string }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: stylesheet },
  'app.js': { type: 'text/javascript; charset=utf-8', body: appScript },
  'add-on.js': { type: 'text/javascript; charset=utf-8', body: addOnScript },
  'favicon.svg': {
    type: 'image/svg+xml',
    body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M9 8h8a5 5 0 0 1 0 10h-3l6 6h-4l-6-6v6H9z" fill="#fff"/></svg>',
  },
};
