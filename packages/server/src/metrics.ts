/**
 * Counters and gauges for `/metrics`, in the Prometheus text format. Counters only go up; rates
 * (signals/s, resumes/s) are for the scraper to derive. Gauges are read when scraped.
 */
export class Metrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly #gauges = new Map<string, { help: string; read: () => number }>();

  counter(name: string, help: string): (labels?: Record<string, string>, by?: number) => void {
    const entry = { help, values: new Map<string, number>() };
    this.#counters.set(name, entry);
    return (labels = {}, by = 1) => {
      const key = formatLabels(labels);
      entry.values.set(key, (entry.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, { help, read });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, read }] of this.#gauges) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    for (const [name, { help, values }] of this.#counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      if (values.size === 0) {
        lines.push(`${name} 0`);
      }
      for (const [labels, value] of values) {
        lines.push(`${name}${labels} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) {
    return '';
  }
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}
