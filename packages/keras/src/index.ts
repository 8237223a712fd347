/**
 * @kiln/keras is not implemented yet: it is filled by the Keras issue.
 * This module deliberately exports nothing, so no code can depend on a half-built API.
 */
export {};
