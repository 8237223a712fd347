/**
 * Asynchronous work in program order (SPEC L2). On an async-only backend a call that must
 * wait for host reads (a While predicate, a printed value), and any later op, read or
 * print that depends on one, runs as a task; tasks run one after another in the order
 * they were issued, so side effects (variable writes, `tf.print`) keep program order. A
 * failing task does not stop later ones: its outputs carry the error.
 *
 * ```ts
 * queue.enqueue(async () => { await backend.read(id); });
 * await queue.idle(); // every task issued so far has finished
 * ```
 */
export class TaskQueue {
  #tail: Promise<void> = Promise.resolve();
  #running = 0;

  /** True while issued tasks have not finished. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** Runs `task` after every task issued before it. The promise never rejects (failures belong to the task's outputs). */
  enqueue(task: () => Promise<void> | void): Promise<void> {
    this.#running++;
    const run = async () => {
      try {
        await task();
      } catch {
        // A task reports failure through its outputs (see `EagerHandle.failure`).
      } finally {
        this.#running--;
      }
    };
    this.#tail = this.#tail.then(run);
    return this.#tail;
  }

  /** Settles when every task issued so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }
}
