export * from './core.js';
export * from './imports.js';
export * from './assignments.js';
