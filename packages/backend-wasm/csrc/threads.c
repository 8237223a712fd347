/*
 * The thread pool behind kiln_parallel_for. One job is published at a time: the caller
 * writes the job, bumps the mailbox of each worker that takes part and wakes it
 * (memory.atomic.notify); each thread runs its share; the caller does share 0 and then
 * waits for `pending` to reach 0. A worker only ever looks at its own mailbox (one cache
 * line each), so a worker left out of a job can never pick up half of the next one.
 * Workers spin briefly after a job before sleeping in memory.atomic.wait32, so a burst of
 * kernels (a traced step) does not pay a wake-up per kernel.
 */
#include "threads.h"

#define MAX_THREADS 64

#ifdef KILN_THREADS
/* One mailbox per worker, 64 bytes apart so workers do not share cache lines. */
#define MAILBOX_STRIDE 16
static volatile int32_t mailboxes[MAX_THREADS * MAILBOX_STRIDE];
#endif

typedef struct {
  volatile int32_t pending;
  kiln_task_fn task;
  void* context;
  uint32_t count;
  uint32_t threads;
} Job;

static Job job;
static uint32_t active_threads = 1;
static uint32_t started_workers = 0;
static uint32_t main_can_block = 0;

uint32_t kiln_thread_count(void) { return active_threads; }

/** Sets how many threads loops use (clamped to the started workers + 1). */
uint32_t KILN_EXPORT(kiln_set_threads)(uint32_t threads) {
  if (threads < 1) threads = 1;
  if (threads > started_workers + 1) threads = started_workers + 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  active_threads = threads;
  return threads;
}

/** Records that a worker was started (called by the loader once the worker is ready). */
void KILN_EXPORT(kiln_worker_started)(void) { started_workers++; }

/** Whether the calling thread may block in atomic.wait (Node's main thread may; a browser's may not). */
void KILN_EXPORT(kiln_set_main_can_block)(uint32_t can) { main_can_block = can; }

static __attribute__((unused)) void run_share(uint32_t thread) {
  uint32_t threads = job.threads;
  uint32_t count = job.count;
  uint32_t begin = (uint32_t)(((uint64_t)count * thread) / threads);
  uint32_t end = (uint32_t)(((uint64_t)count * (thread + 1)) / threads);
  if (begin < end) job.task(job.context, begin, end, thread);
}

uint32_t kiln_threads_for_work(double work) {
  /* About 20 us of work per extra thread pays for waking it. */
  uint32_t threads = active_threads;
  if (threads <= 1) return 1;
  uint32_t useful = (uint32_t)(work / 20.0);
  if (useful < 1) useful = 1;
  return useful < threads ? useful : threads;
}

void kiln_parallel_for(kiln_task_fn task, void* context, uint32_t count, uint32_t threads) {
  if (threads > active_threads) threads = active_threads;
  if (threads > count) threads = count;
#ifdef KILN_THREADS
  if (threads > 1) {
    job.task = task;
    job.context = context;
    job.count = count;
    job.threads = threads;
    __atomic_store_n(&job.pending, (int32_t)(threads - 1), __ATOMIC_RELEASE);
    for (uint32_t t = 1; t < threads; t++) {
      volatile int32_t* mailbox = &mailboxes[t * MAILBOX_STRIDE];
      __atomic_fetch_add(mailbox, 1, __ATOMIC_ACQ_REL);
      __builtin_wasm_memory_atomic_notify((int32_t*)mailbox, 1);
    }
    run_share(0);
    uint32_t spins = 0;
    while (__atomic_load_n(&job.pending, __ATOMIC_ACQUIRE) != 0) {
      if (main_can_block && ++spins > 100000) {
        int32_t left = __atomic_load_n(&job.pending, __ATOMIC_ACQUIRE);
        if (left != 0) __builtin_wasm_memory_atomic_wait32((int32_t*)&job.pending, left, 1000000);
      }
    }
    return;
  }
#endif
  if (count > 0) task(context, 0, count, 0);
}

#ifdef KILN_THREADS
static KILN_NOINLINE void work_once(uint32_t thread) {
  run_share(thread);
  if (__atomic_sub_fetch(&job.pending, 1, __ATOMIC_ACQ_REL) == 0 && main_can_block) {
    __builtin_wasm_memory_atomic_notify((int32_t*)&job.pending, 1);
  }
}

/** A worker's loop: never returns. `thread` is 1-based (0 is the calling thread). */
void KILN_EXPORT(kiln_worker_main)(uint32_t thread) {
  volatile int32_t* mailbox = &mailboxes[thread * MAILBOX_STRIDE];
  int32_t seen = __atomic_load_n(mailbox, __ATOMIC_ACQUIRE);
  for (;;) {
    int32_t now;
    uint32_t spins = 0;
    while ((now = __atomic_load_n(mailbox, __ATOMIC_ACQUIRE)) == seen) {
      if (++spins > 200000) {
        __builtin_wasm_memory_atomic_wait32((int32_t*)mailbox, seen, -1);
        spins = 0;
      }
    }
    seen = now;
    work_once(thread);
  }
}
#endif
