/*
 * Parallel loops over worker threads that share the module's memory. The thread that calls
 * into the module from JS is thread 0; workers (Node worker_threads or browser Workers,
 * started by the TS loader) sit in kiln_worker_main. In the single-threaded build the
 * same calls simply run every task on the calling thread.
 */
#ifndef KILN_THREADS_H
#define KILN_THREADS_H

#include "kiln.h"

/* Runs tasks [begin, end) of a parallel loop on one thread. */
typedef void (*kiln_task_fn)(void* context, uint32_t begin, uint32_t end, uint32_t thread);

/* How many threads loops may use now (1 in the single-threaded build). */
uint32_t kiln_thread_count(void);

/*
 * Runs `task` over [0, count) split into one contiguous range for each of `threads`
 * threads (at most the active count), and returns when every range is done. With one
 * thread the loop runs inline on the caller. Per-thread scratch must be sized for
 * `threads` (the `thread` argument of `task` is below it).
 */
void kiln_parallel_for(kiln_task_fn task, void* context, uint32_t count, uint32_t threads);

/*
 * kiln_parallel_for with `chunk` tasks per claim (0: a quarter of each thread's share).
 * Small chunks balance threads that start at different times (a worker woken from sleep
 * starts tens of microseconds after the caller); each claim is one atomic operation.
 */
void kiln_parallel_for_chunks(kiln_task_fn task, void* context, uint32_t count, uint32_t threads, uint32_t chunk);

/* Threads worth using for `work` units of roughly one microsecond each (at least 1). */
uint32_t kiln_threads_for_work(double work);

#endif
