/**
 * Makes `instance` callable: returns a function that runs `call` and otherwise behaves like
 * `instance` (its prototype is the instance, so methods, getters and `instanceof` work).
 * Classes used this way keep their state in fields that are never reassigned.
 */
export function makeCallable<T extends object, F extends (...args: any[]) => any>(instance: T, call: F): T & F {
  const callable = function (this: unknown, ...args: unknown[]) {
    return call.apply(this, args);
  };
  Object.setPrototypeOf(callable, instance);
  // A function's own `name` and `length` would shadow the instance's properties.
  delete (callable as { name?: unknown }).name;
  delete (callable as { length?: unknown }).length;
  return callable as unknown as T & F;
}
