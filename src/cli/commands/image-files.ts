import type { Command } from 'commander';

// Placeholder until the layered filesystem lands in this session.
export function registerImageFilesCommand(_image: Command): void {}
