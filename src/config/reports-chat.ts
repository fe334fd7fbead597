/**
 * The `serve` options of reports (team label keys, the Chromium that prints PDFs) and of chat
 * commands (Slack workspaces: team id, signing secret, the Portcullis account it speaks for):
 * environment > config file > defaults.
 */
import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import type { Env } from './index.js';

export const reportsFileSchema = {
  report_team_labels: z.array(z.string().min(1).max(256)).min(1).max(16),
  chromium: z.string().min(1),
  slack: z
    .array(
      z
        .object({
          team_id: z.string().min(1).max(64),
          signing_secret: z.string().min(8).max(256),
          account: z.string().min(1).max(128),
        })
        .strict(),
    )
    .max(64),
};

export interface ReportsConfig {
  teamLabelKeys: readonly string[];
  chromium: string;
}

export interface SlackWorkspaceConfig {
  /** Slack's `team_id` of the workspace. */
  teamId: string;
  signingSecret: string;
  /** The Portcullis account whose images the workspace's commands see. */
  account: string;
}

interface FileSection {
  report_team_labels?: string[] | undefined;
  chromium?: string | undefined;
  slack?: { team_id: string; signing_secret: string; account: string }[] | undefined;
}

const DEFAULT_TEAM_LABELS = ['team', 'owner', 'org.opencontainers.image.vendor'];

export function resolveReports(env: Env, file: FileSection | undefined): ReportsConfig {
  const fromEnv = env.PORTCULLIS_REPORT_TEAM_LABELS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    teamLabelKeys: fromEnv?.length ? fromEnv : (file?.report_team_labels ?? DEFAULT_TEAM_LABELS),
    chromium: env.PORTCULLIS_CHROMIUM ?? file?.chromium ?? '/usr/bin/chromium',
  };
}

/** The config file's workspaces, plus one from PORTCULLIS_SLACK_{TEAM_ID,SIGNING_SECRET,ACCOUNT}. */
export function resolveSlack(env: Env, file: FileSection | undefined): SlackWorkspaceConfig[] {
  const workspaces = (file?.slack ?? []).map((w) => ({
    teamId: w.team_id,
    signingSecret: w.signing_secret,
    account: w.account,
  }));
  const fromEnv = [
    env.PORTCULLIS_SLACK_TEAM_ID,
    env.PORTCULLIS_SLACK_SIGNING_SECRET,
    env.PORTCULLIS_SLACK_ACCOUNT,
  ];
  if (fromEnv.some(Boolean)) {
    const [teamId, signingSecret, account] = fromEnv;
    if (!teamId || !signingSecret || !account)
      throw new PortcullisError(
        'CONFIG_INVALID',
        'PORTCULLIS_SLACK_TEAM_ID, PORTCULLIS_SLACK_SIGNING_SECRET and PORTCULLIS_SLACK_ACCOUNT go together',
      );
    workspaces.push({ teamId, signingSecret, account });
  }
  const ids = workspaces.map((w) => w.teamId);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new PortcullisError('CONFIG_INVALID', `Slack workspace ${twice} is configured twice`);
  return workspaces;
}
