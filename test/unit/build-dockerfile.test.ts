/** The Dockerfile parser and word expansion: BuildKit's rules on the cases that tell them apart. */
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/engine/build/dockerfile/errors.js';
import { parseDockerfile, parseTrigger } from '../../src/engine/build/dockerfile/parse.js';
import { expandWord, expandWords, processWord } from '../../src/engine/build/dockerfile/shell-words.js';

const vars = new Map([
  ['A', 'a'],
  ['EMPTY', ''],
  ['SP', 'x y'],
  ['PATH_', '/usr/local/bin/tool.tar.gz'],
]);

describe('word expansion', () => {
  it('expands $VAR and ${VAR}, leaves unknown ones empty and a lone $ as is', () => {
    expect(expandWord('$A-${A}b$NOPE.$', vars)).toBe('a-ab.$');
    // positional and special parameters are names too, never set
    expect(expandWord('pre$1|$@|$$|x', vars)).toBe('pre|||x');
  });
  it('quotes: single literal, double expands, escapes', () => {
    expect(expandWord(`'$A'"$A"\\$A`, vars)).toBe('$Aa$A');
    expect(expandWord(`"a\\"b\\$A\\x"`, vars)).toBe('a"b$A\\x');
    expect(expandWord('"a b"', vars)).toBe('a b');
    expect(expandWord('trailing\\', vars)).toBe('trailing');
  });
  it('modifiers :- - :+ + :? ? #  ## % %% / //', () => {
    expect(expandWord('${EMPTY:-d}|${EMPTY-d}|${NOPE-d}|${A:-d}', vars)).toBe('d||d|a');
    expect(expandWord('${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${NOPE+alt}', vars)).toBe('alt||alt|');
    expect(expandWord('${NOPE:-${A}x}|${NOPE:-"q w"}', vars)).toBe('ax|q w');
    expect(() => expandWord('${NOPE:?needs a value}', vars)).toThrow('NOPE: needs a value');
    expect(() => expandWord('${EMPTY:?}', vars)).toThrow('EMPTY: is not allowed to be empty');
    expect(() => expandWord('${NOPE?}', vars)).toThrow('NOPE: is not allowed to be unset');
    expect(expandWord('${PATH_#*/}|${PATH_##*/}|${PATH_%.*}|${PATH_%%.*}', vars)).toBe(
      'usr/local/bin/tool.tar.gz|tool.tar.gz|/usr/local/bin/tool.tar|/usr/local/bin/tool',
    );
    expect(expandWord('${PATH_/o/0}|${PATH_//o/0}', vars)).toBe(
      '/usr/l0cal/bin/tool.tar.gz|/usr/l0cal/bin/t00l.tar.gz',
    );
    // brackets are literal in BuildKit's patterns
    expect(expandWord('${PATH_#[/]}', vars)).toBe('/usr/local/bin/tool.tar.gz');
  });
  it('errors as BuildKit words them, wrapped with the word', () => {
    expect(() => expandWord('${A', vars)).toThrow(`failed to process "\${A": syntax error: missing '}'`);
    expect(() => expandWord('${:-x}', vars)).toThrow('bad substitution');
    expect(() => expandWord('${A:#x}', vars)).toThrow('unsupported modifier (:#) in substitution');
    expect(() => expandWord('"abc', vars)).toThrow('matching double-quote');
    expect(() => expandWord("'abc", vars)).toThrow('matching single-quote');
  });
  it('splits words on unquoted whitespace, also inside unquoted expansions; a quoted empty string is no word', () => {
    expect(expandWords('a "b c" $SP "$SP" \'\' d', vars)).toEqual(['a', 'b c', 'x', 'y', 'x y', 'd']);
    expect(expandWords('$EMPTY x', vars)).toEqual(['x']);
  });
  it('the backtick escape', () => {
    expect(expandWord('a`$A', vars, '`')).toBe('a$A');
    expect(expandWord('C:\\dir', vars, '`')).toBe('C:\\dir');
  });
  it('reports which variables were used and which were not set', () => {
    const r = processWord('$A ${NOPE:-x} $EMPTY', vars);
    expect([...r.matched].sort()).toEqual(['A', 'EMPTY']);
    expect([...r.unmatched]).toEqual(['NOPE']);
  });
});

const df = (lines: string[]) => parseDockerfile(lines.join('\n'));
const first = (lines: string[]) => df(lines).stages[0]!.instructions;

describe('parsing', () => {
  it('directives, comments, continuations and stages', () => {
    const d = df([
      '# syntax=docker/dockerfile:1',
      '  # escape=\\',
      'ARG BASE=busybox',
      'FROM $BASE AS build',
      '# a comment',
      'RUN echo one \\',
      '  # a comment inside the continuation',
      '  two',
      'from scratch',
      'COPY --from=build --chmod=755 /a /b /dest/',
    ]);
    expect(d.directives).toEqual({ escape: '\\', syntax: 'docker/dockerfile:1' });
    expect(d.globalArgs[0]!.args).toEqual([{ name: 'BASE', value: 'busybox' }]);
    expect(d.stages.map((s) => [s.name, s.from.image])).toEqual([
      ['build', '$BASE'],
      [undefined, 'scratch'],
    ]);
    expect(d.stages[0]!.instructions[0]).toMatchObject({
      kind: 'RUN',
      cmdLine: ['echo one   two'],
      prependShell: true,
      loc: { start: 6, end: 8 },
    });
    expect(d.stages[1]!.instructions[0]).toMatchObject({
      kind: 'COPY',
      from: 'build',
      chmod: '755',
      sources: ['/a', '/b'],
      dest: '/dest/',
      link: false,
    });
    expect(d.warnings.join()).toContain('# syntax=docker/dockerfile:1 is accepted and ignored');
  });

  it('a directive after an instruction or a comment is a comment', () => {
    const d = parseDockerfile('# hello\n# escape=`\nFROM x\nRUN a \\\n b');
    expect(d.directives.escape).toBe('\\');
    expect(d.stages[0]!.instructions[0]).toMatchObject({ cmdLine: ['a  b'] });
  });

  it('the escape directive changes the continuation character; an escaped escape ends the line', () => {
    expect(first(['# escape=`', 'FROM x', 'RUN dir C:\\ `', '  /w'])[0]).toMatchObject({ cmdLine: ['dir C:\\   /w'] });
    const [a, b] = first(['FROM x', 'RUN echo a\\\\', 'RUN echo b']);
    expect(a).toMatchObject({ cmdLine: ['echo a\\\\'] });
    expect(b).toMatchObject({ cmdLine: ['echo b'] });
  });

  it('an empty line inside a continuation is skipped with a warning', () => {
    const d = parseDockerfile('FROM x\nRUN a \\\n\n  b\n');
    expect(d.stages[0]!.instructions[0]).toMatchObject({ cmdLine: ['a   b'] });
    expect(d.warnings[0]).toBe('Empty continuation line found in: RUN a   b');
  });

  it('JSON and shell forms; SHELL must be JSON; a JSON array of other values is an error', () => {
    const [cmd, ep, sh, empty] = first([
      'FROM x',
      'CMD ["a", "b c"]',
      'ENTRYPOINT [not json',
      'SHELL ["/bin/bash", "-c"]',
      'CMD []',
    ]);
    expect(cmd).toMatchObject({ kind: 'CMD', cmdLine: ['a', 'b c'], prependShell: false });
    expect(ep).toMatchObject({ kind: 'ENTRYPOINT', cmdLine: ['[not json'], prependShell: true });
    expect(sh).toMatchObject({ kind: 'SHELL', shell: ['/bin/bash', '-c'] });
    expect(empty).toMatchObject({ kind: 'CMD', cmdLine: [], prependShell: false });
    expect(() => parseDockerfile('FROM x\nSHELL /bin/sh')).toThrow('SHELL requires the arguments to be in JSON form');
    expect(() => parseDockerfile('FROM x\nCMD ["a", 1]')).toThrow('arrays must be comprised of strings only');
  });

  it('ENV and LABEL pairs with quotes kept for expansion, and the legacy form', () => {
    const [e1, e2, l, e3] = first([
      'FROM x',
      'ENV A=1 B="two words" C=a\\ b',
      'ENV OLD the rest of it',
      'LABEL "k 1"=v',
      "ENV Q='a\\'",
    ]);
    expect(e1).toMatchObject({
      pairs: [
        { key: 'A', value: '1', noDelim: false },
        { key: 'B', value: '"two words"' },
        { key: 'C', value: 'a\\ b' },
      ],
    });
    expect(e2).toMatchObject({ pairs: [{ key: 'OLD', value: 'the rest of it', noDelim: true }] });
    expect(l).toMatchObject({ pairs: [{ key: '"k 1"', value: 'v' }] });
    // inside single quotes the escape is an ordinary character
    expect(e3).toMatchObject({ pairs: [{ key: 'Q', value: "'a\\'" }] });
    expect(() => parseDockerfile('FROM x\nENV A=1 B')).toThrow(`Syntax error - can't find = in "B"`);
    expect(() => parseDockerfile('FROM x\nENV A')).toThrow('ENV must have two arguments');
  });

  it('heredocs on RUN and COPY: only whole words, quoted names not expanded, spaces allowed', () => {
    const [run, copy, plain, spaced, user] = first([
      'FROM x',
      'RUN <<EOF',
      'echo a',
      '  echo b',
      'EOF',
      'COPY <<-"END" <<TWO /dest/',
      '\t$NOT',
      '\tEND',
      'two',
      'TWO',
      'RUN echo "<<NOT" cat<<NOR',
      'RUN cat << EOF2 > /f',
      'x',
      'EOF2',
      'USER u',
    ]);
    expect(run).toMatchObject({ kind: 'RUN', files: [{ name: 'EOF', data: 'echo a\n  echo b\n', expand: true }] });
    expect(copy).toMatchObject({
      kind: 'COPY',
      sources: [],
      dest: '/dest/',
      contents: [
        { name: 'END', data: '$NOT\n', expand: false, chomp: true },
        { name: 'TWO', data: 'two\n', expand: true },
      ],
    });
    expect(plain).toMatchObject({ kind: 'RUN', files: [] });
    expect(spaced).toMatchObject({ kind: 'RUN', files: [{ name: 'EOF2', data: 'x\n' }] });
    expect(user).toMatchObject({ kind: 'USER', value: 'u', loc: { start: 15 } });
    // no heredocs in exec form
    expect(first(['FROM x', 'RUN ["sh", "<<EOF"]'])[0]).toMatchObject({ files: [] });
  });

  it('HEALTHCHECK, ONBUILD, ARG, EXPOSE, VOLUME', () => {
    const [hc, shellHc, none, ob, arg, ex, v1, v2] = first([
      'FROM x',
      'HEALTHCHECK --interval=5s --retries=3 CMD ["true"]',
      'HEALTHCHECK --timeout=1m30s CMD curl -f http://x || exit 1',
      'HEALTHCHECK NONE',
      'ONBUILD RUN echo hi',
      'ARG A B=2 C="x y"',
      'EXPOSE 8080 53/udp 80/tcp',
      'VOLUME ["/a", "/b"]',
      'VOLUME /c /d',
    ]);
    expect(hc).toMatchObject({ kind: 'HEALTHCHECK', test: ['CMD', 'true'], interval: 5e9, retries: 3 });
    expect(shellHc).toMatchObject({ test: ['CMD-SHELL', 'curl -f http://x || exit 1'], timeout: 90e9 });
    expect(none).toMatchObject({ kind: 'HEALTHCHECK', test: ['NONE'] });
    expect(ob).toMatchObject({ kind: 'ONBUILD', expression: 'RUN echo hi' });
    expect(arg).toMatchObject({ args: [{ name: 'A' }, { name: 'B', value: '2' }, { name: 'C', value: '"x y"' }] });
    expect(ex).toMatchObject({ ports: ['53/udp', '80/tcp', '8080'] });
    expect(v1).toMatchObject({ volumes: ['/a', '/b'] });
    expect(v2).toMatchObject({ volumes: ['/c', '/d'] });
    expect(() => parseDockerfile('FROM x\nHEALTHCHECK --interval=1us CMD true')).toThrow(
      'Interval "interval" cannot be less than 1ms',
    );
  });

  it('flags: quotes removed, BuildKit messages', () => {
    expect(first(['FROM x', 'RUN --mount="type=cache,target=/c" --network=none true'])[0]).toMatchObject({
      mounts: ['type=cache,target=/c'],
      network: 'none',
      cmdLine: ['true'],
    });
    expect(first(['FROM x', 'COPY --link --chown=1:2 a b'])[0]).toMatchObject({ link: true, chown: '1:2' });
    expect(() => parseDockerfile('FROM x\nCOPY --from=a --from=b x y')).toThrow('duplicate flag specified: --from');
    expect(() => parseDockerfile('FROM x\nCOPY --link=maybe a b')).toThrow(
      'expecting boolean value for flag --link, not: maybe',
    );
    expect(() => parseDockerfile('FROM x\nCOPY --from a b')).toThrow('missing a value on flag: --from');
  });

  it('ONBUILD triggers parse again as instructions at the FROM line', () => {
    const at = { start: 3, end: 3, original: 'FROM base' };
    expect(parseTrigger('COPY --chown=1 a /a', at)).toMatchObject({ kind: 'COPY', chown: '1', loc: { start: 3 } });
    expect(() => parseTrigger('FROM x', at)).toThrow("FROM isn't allowed as an ONBUILD trigger");
  });

  it('errors name the line', () => {
    const at = (src: string) => {
      try {
        parseDockerfile(src);
      } catch (e) {
        expect(e).toBeInstanceOf(DockerfileError);
        const d = e as DockerfileError;
        return [d.line, d.solveMessage];
      }
      throw new Error('no error');
    };
    expect(at('FROM x\n\nFOO bar')).toEqual([3, 'dockerfile parse error on line 3: unknown instruction: FOO']);
    expect(at('RUN x')).toEqual([1, 'no build stage in current context']);
    expect(at('FROM x\nCOPY --frm=a b c')).toEqual([2, 'dockerfile parse error on line 2: unknown flag: --frm']);
    expect(at('FROM x\nCOPY onlyone')).toEqual([
      2,
      'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ]);
    expect(at('FROM x\nONBUILD FROM y')).toEqual([
      2,
      "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger",
    ]);
    expect(at('FROM x\nRUN <<EOF\nnever ends')).toEqual([2, 'unterminated heredoc']);
    expect(at('# comment only\n')).toEqual([1, 'file with no instructions']);
    expect(at('FROM a AS 1x')).toEqual([
      1,
      'dockerfile parse error on line 1: invalid name for build stage: "1x", name can\'t start with a number or contain symbols',
    ]);
  });

  it('a repeated stage name is a warning, as in BuildKit', () => {
    expect(parseDockerfile('FROM a AS x\nFROM b AS X').warnings[0]).toContain('Duplicate stage name "x"');
  });
});
