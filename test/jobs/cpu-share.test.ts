import { describe, expect, it } from 'vitest';
import { jobCpuShare, threadPoolSize } from '../../src/cpu-share.js';

describe('the jobs’ share of the machine', () => {
  it('takes every core in a process that only runs jobs, and never rests between import chunks there', () => {
    expect(jobCpuShare('jobs', 2)).toEqual({ hashConcurrency: 4, idleHashConcurrency: 4, applyConcurrency: 2, applyBusyShare: 1 });
    expect(jobCpuShare('jobs', 8)).toEqual({ hashConcurrency: 16, idleHashConcurrency: 16, applyConcurrency: 2, applyBusyShare: 1 });
  });

  it('beside the web, leaves a core to the requests while any is served, and rests the apply when no core is left over', () => {
    const two = jobCpuShare('web-and-jobs', 2);
    expect(two.hashConcurrency).toBe(1);
    expect(two.idleHashConcurrency).toBe(2);
    expect(two.applyConcurrency).toBe(1);
    expect(two.applyBusyShare).toBeLessThan(1);
    expect(jobCpuShare('web-and-jobs', 1).applyBusyShare).toBeLessThan(1);
    expect(jobCpuShare('web-and-jobs', 8)).toEqual({ hashConcurrency: 7, idleHashConcurrency: 8, applyConcurrency: 2, applyBusyShare: 1 });
  });

  it('sizes libuv’s pool above the hashes a job keeps in flight beside the web', () => {
    expect(threadPoolSize(2)).toBeGreaterThan(jobCpuShare('web-and-jobs', 2).idleHashConcurrency);
    expect(threadPoolSize(16)).toBe(17);
  });
});
