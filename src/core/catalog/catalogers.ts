/** Every cataloger the generic cataloger runs by default: OS package databases first. */
import { LANGUAGE_CATALOGERS } from '../ecosystems/language-catalogers.js';
import { OS_CATALOGERS } from '../ecosystems/os-catalogers.js';
import type { Cataloger } from '../ecosystems/types.js';

export const ALL_CATALOGERS: readonly Cataloger[] = [...OS_CATALOGERS, ...LANGUAGE_CATALOGERS];
