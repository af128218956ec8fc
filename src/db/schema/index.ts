export * from './core.js';
export * from './imports.js';
