/** The distribution an image is built on, as detected from its release files. */
export interface Distro {
  /** os-release ID: lower-case, e.g. 'debian', 'alpine', 'rhel', 'centos', 'ubuntu'. */
  id: string;
  /** os-release VERSION_ID, e.g. '12', '3.18.4', '8.9'. */
  versionId?: string;
  /** os-release VERSION_CODENAME, e.g. 'bookworm'. */
  versionCodename?: string;
  /** os-release ID_LIKE, split on spaces (empty when absent). */
  idLike: string[];
  prettyName?: string;
  /** Absolute path of the file the answer came from. */
  source: string;
}
