declare module 'async-exit-hook' {
  function hook(fn: (done: () => void) => void): void;
  namespace hook {
    function unhookEvent(event: string): void;
  }
  export = hook;
}
