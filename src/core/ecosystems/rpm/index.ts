import type { Cataloger } from '../types.js';
import { rpmBdbParser, rpmNdbParser, rpmSqliteParser } from './parse-rpmdb.js';

export const rpmCataloger: Cataloger = {
  id: 'rpm-db',
  version: 2,
  ecosystem: 'rpm',
  packageDatabase: true,
  parsers: [rpmSqliteParser, rpmBdbParser, rpmNdbParser],
};
