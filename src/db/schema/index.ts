export * from './core.js';
export * from './classroom.js';
export * from './google-sandbox.js';
