// Lint rules that keep the architecture honest: stages (ingest, scorer, sinks) import only
// schemas/ and npm packages, never each other or the composition root.
import tseslint from 'typescript-eslint';

const stageBoundary = (stage, others) => ({
  files: [`${stage}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: others.map((other) => ({
        group: [`**/${other}/*`, `**/${other}/**`],
        message: `${stage}/ must not import ${other}/: stages share only what schemas/ declares; wire them in app/pipeline.ts.`,
      })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', '.local/', 'models/', 'schemas/generated/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type instead of enum.' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces: use modules.' }],
    },
  },
  stageBoundary('ingest', ['scorer', 'sinks', 'app']),
  stageBoundary('scorer', ['ingest', 'sinks', 'app']),
  stageBoundary('sinks', ['ingest', 'scorer', 'app']),
);
