// Example ids seen recently: examples are unique by id, and a redelivered one is not learned twice.
// Each id remembers its blueprint: when a blueprint's trainer is dropped (its partition went to
// another instance), what it learned is gone with it, and should the blueprint come back here its
// examples must be learned again by the trainer that continues its newest published version.

export class RecentIds {
  /** Example id → its blueprint, oldest first. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  /** False when the id was already seen. */
  add(id: string, blueprint: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.set(id, blueprint);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value!);
    return true;
  }

  /** Forgets every id of these blueprints. */
  forget(blueprints: ReadonlySet<string>): void {
    if (blueprints.size === 0) return;
    for (const [id, blueprint] of this.ids) if (blueprints.has(blueprint)) this.ids.delete(id);
  }
}
