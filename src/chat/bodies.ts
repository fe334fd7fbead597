/** The JSON bodies of chat answers: Slack's message, and the generic webhook's documented format. */
import type { ChatAnswer } from './answers.js';
import type { ChatCommand } from './command.js';

/** Slack: seen only by the one who asked; follow-ups add a message instead of replacing. */
export function slackReply(answer: ChatAnswer): {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
} {
  return { response_type: 'ephemeral', replace_original: false, text: answer.text };
}

export interface WebhookAnswer {
  ok: boolean;
  command: ChatCommand['kind'];
  text: string;
  data?: unknown;
}

export function answerBody(command: ChatCommand, answer: ChatAnswer): WebhookAnswer {
  return {
    ok: command.kind !== 'invalid',
    command: command.kind,
    text: answer.text,
    ...(answer.data !== undefined ? { data: answer.data } : {}),
  };
}
