import { describe, expect, it } from 'vitest';
import { fire, makeInput } from '../test-support.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin',
  'app:x:1000:1000::/home/app:/bin/zsh',
].join('\n');
const withPasswd = makeInput({ contents: { '/etc/passwd': PASSWD } });
const without = makeInput();
const rule = (trigger: string, params: Record<string, string> = {}) => ({
  gate: 'passwd_file',
  trigger,
  params,
});

describe('passwd_file gate', () => {
  it('content_not_available fires only without /etc/passwd', () => {
    expect(fire(rule('content_not_available'), without)).toHaveLength(1);
    expect(fire(rule('content_not_available'), withPasswd)).toEqual([]);
  });
  it('blacklist_usernames', () => {
    expect(
      fire(rule('blacklist_usernames', { user_names: 'ftp,games' }), withPasswd).map((t) => t.message),
    ).toEqual([
      "Blacklisted user 'ftp' found in image's /etc/passwd: pentry=ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin",
    ]);
    expect(fire(rule('blacklist_usernames', { user_names: 'games' }), withPasswd)).toEqual([]);
  });
  it('blacklist_userids', () => {
    expect(fire(rule('blacklist_userids', { user_ids: '1000' }), withPasswd)).toHaveLength(1);
    expect(fire(rule('blacklist_userids', { user_ids: '5' }), withPasswd)).toEqual([]);
  });
  it('blacklist_groupids', () => {
    expect(fire(rule('blacklist_groupids', { group_ids: '50,1' }), withPasswd)).toHaveLength(2);
    expect(fire(rule('blacklist_groupids', { group_ids: '14' }), withPasswd)).toEqual([]);
  });
  it('blacklist_shells', () => {
    expect(fire(rule('blacklist_shells', { shells: '/bin/zsh' }), withPasswd)).toHaveLength(1);
    expect(fire(rule('blacklist_shells', { shells: '/bin/fish' }), withPasswd)).toEqual([]);
    expect(fire(rule('blacklist_shells', { shells: '/bin/zsh' }), without)).toEqual([]);
  });
  it('blacklist_full_entry', () => {
    expect(
      fire(
        rule('blacklist_full_entry', { entry: 'ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin' }),
        withPasswd,
      ),
    ).toHaveLength(1);
    expect(
      fire(rule('blacklist_full_entry', { entry: 'ftp:x:14:50::/var/ftp:/sbin/nologin' }), withPasswd),
    ).toEqual([]);
  });
});
