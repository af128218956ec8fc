export * from './core.js';
export * from './imports.js';
export * from './assignments.js';
export * from './classroom.js';
export * from './google-sandbox.js';
export * from './workers.js';
export * from './directory.js';
