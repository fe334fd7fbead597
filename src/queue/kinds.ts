/** Job kinds, named once: the API enqueues them, the worker runs them (they never import each other). */
export const JOB_KINDS = {
  analyzeImage: 'analyze-image',
  deliverNotification: 'deliver-notification',
} as const;
