/**
 * The methods the application's router serves at a path, read from the router itself (every
 * route any module or library registered, now or later), so a known path asked with another
 * method is a 405 with `Allow` instead of a 404. Express keeps no such index: this walks its
 * route layers and asks each one whether it matches, as the router does when it dispatches
 * (`Layer.match` is pure in router 2: it returns the match and changes nothing).
 */
interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

export interface RoutedApp {
  router?: { stack?: RouteLayer[] };
}

export function allowedMethods(app: RoutedApp | undefined, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of app?.router?.stack ?? []) {
    if (layer.route === undefined || !layer.match(path)) {
      continue;
    }
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on === true && method !== '_all') {
        methods.add(method.toUpperCase());
      }
    }
  }
  if (methods.has('GET')) {
    methods.add('HEAD'); // Express answers HEAD with the GET route
  }
  if (methods.size > 0) {
    methods.add('OPTIONS'); // answered with this list (204)
  }
  return [...methods].sort();
}
