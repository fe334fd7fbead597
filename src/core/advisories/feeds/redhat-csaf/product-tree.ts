/**
 * Resolves CSAF product ids (`AppStream-9.2.0.Z.MAIN:openssl-1:3.0.7-18.el9_2.src`,
 * `red_hat_enterprise_linux_9:openssl`) to what a matcher needs: the RHEL major release of the
 * platform and the source rpm (name, and version when the component is a fixed build).
 *
 * Only mainline RHEL platforms count (`cpe:/o:redhat:enterprise_linux:9`,
 * `cpe:/a:redhat:enterprise_linux:9::appstream`, ...): EUS/AUS/E4S/TUS streams
 * (`rhel_eus:9.2`) carry their own older builds, and other products (OpenShift, middleware,
 * container images) are not rpms of the release. Components are source rpms: binary rpms of a
 * fixed build repeat the same version and would only multiply records. Module streams are
 * named as Red Hat names them, `<module>:<stream>/<package>` (`nodejs:18/nodejs`).
 */
import { PackageURL } from 'packageurl-js';
import type { Branch, CsafDocument } from './schema.js';

export interface RpmComponent {
  major: string;
  /** Source rpm name, `<module>:<stream>/<name>` for module builds. */
  name: string;
  /** `[epoch:]version-release` of a fixed build; absent for an unversioned component. */
  version?: string;
}

interface Product {
  name: string;
  cpe?: string;
  purl?: string;
}

const MAINLINE_CPE = /^cpe:\/[ao]:redhat:enterprise_linux:(\d+)(?:::[a-z0-9_]+)?$/;
const COMPONENT_NAME = /^[A-Za-z0-9._+-]+(?::[A-Za-z0-9._+-]+\/[A-Za-z0-9._+-]+)?$/;
/** `openssl-1:3.0.7-18.el9_2.src` when a fixed component carries no purl. */
const SRC_NEVRA = /^(.+)-(?:(\d+):)?([^-:]+)-([^-:]+)\.src$/;

function withEpoch(epoch: string | undefined, version: string): string {
  return epoch && epoch !== '0' ? `${epoch}:${version}` : version;
}

function fromPurl(purl: string): Omit<RpmComponent, 'major'> | undefined {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  if (parsed.type !== 'rpm') return undefined;
  const q = parsed.qualifiers ?? {};
  if (!parsed.version) return { name: parsed.name };
  if (q.arch !== 'src') return undefined;
  const stream = q.rpmmod?.split(':').slice(0, 2).join(':');
  const name = stream ? `${stream}/${parsed.name}` : parsed.name;
  return { name, version: withEpoch(q.epoch, parsed.version) };
}

function componentOf(product: Product): Omit<RpmComponent, 'major'> | undefined {
  if (product.purl) {
    const viaPurl = fromPurl(product.purl);
    if (viaPurl) return viaPurl;
    // An unfixed module component (`pkg:rpmmod/...`) is known by the name Red Hat gives it.
    if (!product.purl.startsWith('pkg:rpmmod/')) return undefined;
  }
  const nevra = SRC_NEVRA.exec(product.name);
  if (nevra) return { name: nevra[1] as string, version: withEpoch(nevra[2], `${nevra[3]}-${nevra[4]}`) };
  return COMPONENT_NAME.test(product.name) ? { name: product.name } : undefined;
}

export class ProductTree {
  private readonly products = new Map<string, Product>();
  private readonly relationships = new Map<string, { component: string; platform: string }>();

  constructor(tree: CsafDocument['product_tree']) {
    const walk = (branches: Branch[] | undefined): void => {
      for (const b of branches ?? []) {
        if (b.product) {
          const helper = b.product.product_identification_helper;
          const product: Product = { name: b.product.name };
          if (helper?.cpe) product.cpe = helper.cpe;
          if (helper?.purl) product.purl = helper.purl;
          this.products.set(b.product.product_id, product);
        }
        walk(b.branches);
      }
    };
    walk(tree?.branches);
    for (const r of tree?.relationships ?? []) {
      this.relationships.set(r.full_product_name.product_id, {
        component: r.product_reference,
        platform: r.relates_to_product_reference,
      });
    }
  }

  /** The RHEL source rpm a product id stands for, or undefined for anything else. */
  resolve(productId: string): RpmComponent | undefined {
    const rel = this.relationships.get(productId);
    if (!rel) return undefined;
    const cpe = this.products.get(rel.platform)?.cpe;
    const major = cpe ? MAINLINE_CPE.exec(cpe)?.[1] : undefined;
    const component = this.products.get(rel.component);
    if (major === undefined || !component) return undefined;
    const resolved = componentOf(component);
    return resolved ? { major, ...resolved } : undefined;
  }
}
