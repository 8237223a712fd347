/*
 * The thread pool behind kiln_parallel_for. A loop's tasks are cut into chunks that
 * threads claim one at a time from a shared counter, so a thread that the OS does not
 * schedule (a busy machine) only delays the chunk it holds: the others, the calling thread
 * included, take the rest. The caller publishes the job in a slot of a small ring, bumps
 * the mailbox of each worker that may help and wakes it (memory.atomic.notify), runs
 * chunks itself, then waits until every chunk is done.
 *
 * The claim counter carries the job's generation in its high word, so a worker that wakes
 * late, after its job finished and the slot was reused, can never claim a chunk of a job
 * it has not read. Workers spin briefly after a job before sleeping in atomic.wait, so a
 * burst of kernels (a traced step) does not pay a wake-up per kernel.
 *
 * Chunk boundaries depend only on the task count, never on which thread runs them, and
 * every task writes its own outputs, so results do not depend on the thread count.
 */
#include "threads.h"

#define MAX_THREADS 64
#define SLOTS 8
#define MAILBOX_STRIDE 16

typedef struct {
  kiln_task_fn task;
  void* context;
  uint32_t count;
  uint32_t chunk;
  uint32_t chunks;
  volatile uint64_t claim; /* generation << 32 | next chunk */
  volatile uint32_t done;  /* chunks finished */
} Job;

static __attribute__((unused)) Job slots[SLOTS];
/* Chunks each thread has run (each thread writes only its own entry), for tests and tuning. */
static uint32_t chunks_run[MAX_THREADS];
static __attribute__((unused)) uint32_t generation = 0;
static uint32_t active_threads = 1;
/* Workers the loader has spawned, and those already inside kiln_worker_main (they count
 * themselves in: a worker joins loops as soon as it runs, without the loader's event loop).
 * Loops use threads up to the highest worker index that runs, not up to the count of
 * running workers: workers boot in any order and one may fail to start, and a count of 1
 * would only ever wake worker 1. Waking a worker that is not running is harmless (it reads
 * its mailbox when it enters its loop and skips what was posted before). */
static uint32_t spawned_workers = 0;
static volatile uint32_t ready_workers = 0;
static volatile uint32_t highest_ready = 0;
static uint32_t main_can_block = 0;
#ifdef KILN_THREADS
/* One mailbox per worker, 64 bytes apart so workers do not share cache lines. */
static volatile int32_t mailboxes[MAX_THREADS * MAILBOX_STRIDE];
#endif

uint32_t kiln_thread_count(void) {
  uint32_t ready = __atomic_load_n(&highest_ready, __ATOMIC_ACQUIRE) + 1;
  return active_threads < ready ? active_threads : ready;
}

/** Sets how many threads loops use (clamped to the spawned workers + 1; workers still starting join when they run). */
uint32_t KILN_EXPORT(kiln_set_threads)(uint32_t threads) {
  if (threads < 1) threads = 1;
  if (threads > spawned_workers + 1) threads = spawned_workers + 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  active_threads = threads;
  return threads;
}

/** Records that the loader spawned a worker (it joins loops once it runs kiln_worker_main). */
void KILN_EXPORT(kiln_worker_spawned)(void) { spawned_workers++; }

/** Workers running kiln_worker_main so far. */
uint32_t KILN_EXPORT(kiln_workers_ready)(void) { return __atomic_load_n(&ready_workers, __ATOMIC_ACQUIRE); }

/** Whether the calling thread may block in atomic.wait (Node's main thread may; a browser's may not). */
void KILN_EXPORT(kiln_set_main_can_block)(uint32_t can) { main_can_block = can; }

/** The number of chunks of parallel loops each thread has run so far (index 0: the calling thread). */
uint32_t* KILN_EXPORT(kiln_thread_chunks)(void) { return chunks_run; }

uint32_t kiln_threads_for_work(double work) {
  /* About 20 us of work per extra thread pays for waking it. */
  uint32_t threads = kiln_thread_count();
  if (threads <= 1) return 1;
  uint32_t useful = (uint32_t)(work / 20.0);
  if (useful < 1) useful = 1;
  return useful < threads ? useful : threads;
}

/* Claims and runs chunks of the job of generation `gen` until none are left. */
static __attribute__((unused)) void run_chunks(Job* job, uint32_t gen, uint32_t thread) {
  uint64_t current = __atomic_load_n(&job->claim, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((uint32_t)(current >> 32) != gen || (uint32_t)current >= job->chunks) return;
    if (!__atomic_compare_exchange_n(&job->claim, &current, current + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
    uint32_t index = (uint32_t)current;
    uint32_t begin = index * job->chunk;
    uint32_t end = begin + job->chunk < job->count ? begin + job->chunk : job->count;
    job->task(job->context, begin, end, thread);
    chunks_run[thread]++;
    if (__atomic_add_fetch(&job->done, 1, __ATOMIC_ACQ_REL) == job->chunks && main_can_block) {
      __builtin_wasm_memory_atomic_notify((int32_t*)&job->done, 1);
    }
    current = __atomic_load_n(&job->claim, __ATOMIC_ACQUIRE);
  }
}

void kiln_parallel_for(kiln_task_fn task, void* context, uint32_t count, uint32_t threads) {
  kiln_parallel_for_chunks(task, context, count, threads, 0);
}

void kiln_parallel_for_chunks(kiln_task_fn task, void* context, uint32_t count, uint32_t threads, uint32_t chunk) {
  uint32_t available = kiln_thread_count();
  if (threads > available) threads = available;
  if (threads > count) threads = count;
#ifdef KILN_THREADS
  if (threads > 1) {
    uint32_t gen = ++generation;
    Job* job = &slots[gen % SLOTS];
    job->task = task;
    job->context = context;
    job->count = count;
    job->chunk = chunk > 0 ? chunk : count / (threads * 4);
    if (job->chunk < 1) job->chunk = 1;
    job->chunks = (count + job->chunk - 1) / job->chunk;
    __atomic_store_n(&job->done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&job->claim, (uint64_t)gen << 32, __ATOMIC_RELEASE);
    for (uint32_t t = 1; t < threads; t++) {
      volatile int32_t* mailbox = &mailboxes[t * MAILBOX_STRIDE];
      __atomic_store_n(mailbox, (int32_t)gen, __ATOMIC_RELEASE);
      __builtin_wasm_memory_atomic_notify((int32_t*)mailbox, 1);
    }
    run_chunks(job, gen, 0);
    uint32_t spins = 0;
    uint32_t done;
    while ((done = __atomic_load_n(&job->done, __ATOMIC_ACQUIRE)) != job->chunks) {
      if (main_can_block && ++spins > 100000) __builtin_wasm_memory_atomic_wait32((int32_t*)&job->done, (int32_t)done, 1000000);
    }
    return;
  }
#endif
  if (count > 0) task(context, 0, count, 0);
}

#ifdef KILN_THREADS
/** A worker's loop: never returns. `thread` is 1-based (0 is the calling thread). */
void KILN_EXPORT(kiln_worker_main)(uint32_t thread) {
  volatile int32_t* mailbox = &mailboxes[thread * MAILBOX_STRIDE];
  int32_t seen = __atomic_load_n(mailbox, __ATOMIC_ACQUIRE);
  __atomic_add_fetch(&ready_workers, 1, __ATOMIC_ACQ_REL);
  uint32_t highest = __atomic_load_n(&highest_ready, __ATOMIC_ACQUIRE);
  while (highest < thread && !__atomic_compare_exchange_n(&highest_ready, &highest, thread, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
  }
  for (;;) {
    int32_t now;
    uint32_t spins = 0;
    while ((now = __atomic_load_n(mailbox, __ATOMIC_ACQUIRE)) == seen) {
      if (++spins > 20000) {
        __builtin_wasm_memory_atomic_wait32((int32_t*)mailbox, seen, -1);
        spins = 0;
      }
    }
    seen = now;
    run_chunks(&slots[(uint32_t)now % SLOTS], (uint32_t)now, thread);
  }
}
#endif
