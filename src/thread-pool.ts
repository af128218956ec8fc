import { threadPoolSize } from './cpu-share.js';

/**
 * Imported first by the Node entries: libuv reads UV_THREADPOOL_SIZE once, when its pool first
 * starts (the first file read, lookup or hash), so it is set before anything else runs. A value
 * given by the operator wins.
 */
process.env.UV_THREADPOOL_SIZE ??= String(threadPoolSize());
