/**
 * What the Portcullis container image is made of, declared once: its name, the Debian release
 * and packages of the base layer, the user it runs as and the service's port. The build
 * (`scripts/build-image.ts`), the deployment manifests' test and the CI templates read it.
 */
import packageJson from '../../package.json' with { type: 'json' };

export const IMAGE_NAME = 'ghcr.io/portcullis/portcullis';
export const IMAGE_VERSION = packageJson.version;
/** The reference the Kubernetes manifests, the GitLab template and the Jenkinsfile use. */
export const PORTCULLIS_IMAGE = `${IMAGE_NAME}:${IMAGE_VERSION}`;

/** Debian 13: its `nodejs` is 20.19, the first Debian release meeting `engines.node` (ADR 0019). */
export const DEBIAN_SUITE = 'trixie';
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
export const BASE_PACKAGES = ['nodejs', 'ca-certificates'] as const;

export const APP_DIR = '/opt/portcullis';
export const DATA_DIR = '/var/lib/portcullis';
export const USER = { name: 'portcullis', uid: 10001, gid: 10001 } as const;
export const HTTP_PORT = 8080;
/** The admission webhook's HTTPS port (`--role admission|all`). */
export const ADMISSION_PORT = 8443;
