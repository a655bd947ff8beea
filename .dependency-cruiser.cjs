/**
 * Import-loop check (`npm run lint` runs it): no cycle between files, and none between the
 * folders of src/ either (a feature folder may use another only if that one does not use it
 * back, so the layers in docs/architecture.md stay layers).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      severity: 'error',
      comment: 'Files import each other in a loop.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Folders of src/ import each other in a loop.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Specs sit beside their code and may use src/testing's fakes of several folders; the
    // layering is about the application's own files.
    exclude: { path: ['^src/generated/', '\\.spec\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
