/**
 * The product version, written once: the CLI's `--version`, SBOM descriptors, the layer-cache
 * result key and (later) the service's `/version` all read it from here.
 */
export const PORTCULLIS_VERSION = '0.1.0';
