/** "Ada is typing…", "Ada and Ben are typing…", "Ada, Ben and 2 others are typing…". */
export function typingText(names: readonly string[]): string {
  const [a, b] = names;
  if (!a) return '';
  if (names.length === 1) return `${a} is typing…`;
  if (names.length === 2) return `${a} and ${b} are typing…`;
  const others = names.length - 2;
  return `${a}, ${b} and ${others} other${others === 1 ? '' : 's'} are typing…`;
}
