// The board: components and their states, and the page's overall verdict.

export const STATES = ["operational", "degraded", "outage"] as const;
export type State = (typeof STATES)[number];

export interface Component {
  name: string;
  state: State;
  note: string;
  updatedAt: string;
}

export class StatusError extends Error {}

export class Board {
  private components = new Map<string, Component>();

  constructor(names: string[] = [], private now: () => Date = () => new Date()) {
    for (const name of names) {
      this.set(name, "operational");
    }
  }

  /** Sets a component's state (creating it if needed). */
  set(name: string, state: unknown, note: unknown = ""): Component {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
      throw new StatusError("a component name is 1-40 lower-case letters, digits or dashes");
    }
    if (typeof state !== "string" || !(STATES as readonly string[]).includes(state)) {
      throw new StatusError(`state must be one of: ${STATES.join(", ")}`);
    }
    if (typeof note !== "string" || note.length > 280) {
      throw new StatusError("note must be text of at most 280 characters");
    }
    const c: Component = { name, state: state as State, note, updatedAt: this.now().toISOString() };
    this.components.set(name, c);
    return c;
  }

  /** The worst state of any component decides the page's overall state. */
  summary(): { overall: State; components: Component[] } {
    const components = [...this.components.values()].sort((a, b) => a.name.localeCompare(b.name));
    const worst = Math.max(0, ...components.map((c) => STATES.indexOf(c.state)));
    return { overall: STATES[worst], components };
  }
}
