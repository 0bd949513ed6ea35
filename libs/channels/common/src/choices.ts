/**
 * Choices on channels without buttons (SMS, e-mail, …) are sent as numbered text, and a reply that is
 * just a number (or the choice's title) is mapped back to the choice's value. Channel adapters are
 * stateless: whoever remembers the last choices offered (the conversation core) calls `choiceForReply`.
 */

export interface Choice {
  title: string;
  value: string;
}

/** "Pick one:\n1. Red\n2. Blue" — the prompt, then one numbered line per choice. */
export function renderNumberedChoices(prompt: string, choices: readonly Choice[]): string {
  const lines = choices.map((choice, index) => `${index + 1}. ${choice.title}`);
  return prompt.length > 0 ? [prompt, ...lines].join('\n') : lines.join('\n');
}

/**
 * The choice a person's reply designates: its number ("2", "2.", " 2) "), or its title ignoring case
 * and surrounding spaces. Undefined when the reply designates none of them.
 */
export function choiceForReply(reply: string, choices: readonly Choice[]): Choice | undefined {
  const trimmed = reply.trim();
  const numbered = /^(\d{1,3})\s*[.)]?$/.exec(trimmed);
  if (numbered) return choices[Number(numbered[1]) - 1];
  const lowered = trimmed.toLowerCase();
  return choices.find((choice) => choice.title.trim().toLowerCase() === lowered);
}
