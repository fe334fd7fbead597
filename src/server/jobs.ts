/** Job kinds the API enqueues (the server never imports the worker, per the dependency rule). */
export const ANALYZE_IMAGE_KIND = 'analyze-image';
