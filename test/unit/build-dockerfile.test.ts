/** The Dockerfile parser and word expansion: BuildKit's rules on the cases that tell them apart. */
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/engine/build/dockerfile/errors.js';
import { parseDockerfile } from '../../src/engine/build/dockerfile/parse.js';
import { expandWord, expandWords } from '../../src/engine/build/dockerfile/shell-words.js';

const vars = new Map([
  ['A', 'a'],
  ['EMPTY', ''],
  ['SP', 'x y'],
  ['PATH_', '/usr/local/bin/tool.tar.gz'],
]);

describe('word expansion', () => {
  it('expands $VAR and ${VAR}, leaves unknown ones empty and a lone $ as is', () => {
    expect(expandWord('$A-${A}b$NOPE.$', vars)).toBe('a-ab.$');
    expect(expandWord('pre$1', vars)).toBe('pre$1');
  });
  it('quotes: single literal, double expands, escapes', () => {
    expect(expandWord(`'$A'"$A"\\$A`, vars)).toBe('$Aa$A');
    expect(expandWord(`"a\\"b\\$A\\x"`, vars)).toBe('a"b$A\\x');
    expect(expandWord('"a b"', vars)).toBe('a b');
  });
  it('modifiers :- - :+ + :? #  ## % %% /', () => {
    expect(expandWord('${EMPTY:-d}|${EMPTY-d}|${NOPE-d}|${A:-d}', vars)).toBe('d||d|a');
    expect(expandWord('${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${NOPE+alt}', vars)).toBe('alt||alt|');
    expect(expandWord('${NOPE:-${A}x}', vars)).toBe('ax');
    expect(() => expandWord('${NOPE:?needs a value}', vars)).toThrow('NOPE: needs a value');
    expect(expandWord('${PATH_#*/}|${PATH_##*/}|${PATH_%.*}|${PATH_%%.*}', vars)).toBe(
      'usr/local/bin/tool.tar.gz|tool.tar.gz|/usr/local/bin/tool.tar|/usr/local/bin/tool',
    );
    expect(expandWord('${PATH_/o/0}|${PATH_//o/0}', vars)).toBe(
      '/usr/l0cal/bin/tool.tar.gz|/usr/l0cal/bin/t00l.tar.gz',
    );
  });
  it('splits words on unquoted whitespace, also inside unquoted expansions', () => {
    expect(expandWords('a "b c" $SP "$SP" \'\' d', vars)).toEqual(['a', 'b c', 'x', 'y', 'x y', '', 'd']);
    expect(expandWords('$EMPTY x', vars)).toEqual(['x']);
  });
  it('the backtick escape', () => {
    expect(expandWord('a`$A', vars, '`')).toBe('a$A');
    expect(expandWord('C:\\dir', vars, '`')).toBe('C:\\dir');
  });
  it('unterminated quotes and braces are errors', () => {
    expect(() => expandWord('"abc', vars)).toThrow('matching double-quote');
    expect(() => expandWord("'abc", vars)).toThrow('matching single-quote');
    expect(() => expandWord('${A', vars)).toThrow("missing '}'");
  });
});

describe('parsing', () => {
  it('directives, comments, continuations and stages', () => {
    const df = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        '# escape=\\',
        'ARG BASE=busybox',
        'FROM $BASE AS build',
        '# a comment',
        'RUN echo one \\',
        '  # a comment inside the continuation',
        '  two',
        'from scratch',
        'COPY --from=build --chmod=755 /a /b /dest/',
      ].join('\n'),
    );
    expect(df.directives).toEqual({ escape: '\\', syntax: 'docker/dockerfile:1' });
    expect(df.globalArgs[0]!.args).toEqual([{ name: 'BASE', value: 'busybox' }]);
    expect(df.stages.map((s) => [s.name, s.from.image])).toEqual([
      ['build', '$BASE'],
      [undefined, 'scratch'],
    ]);
    const run = df.stages[0]!.instructions[0]!;
    expect(run).toMatchObject({
      kind: 'RUN',
      cmd: { form: 'shell', text: 'echo one   two' },
      loc: { start: 6, end: 8 },
    });
    expect(df.stages[1]!.instructions[0]).toMatchObject({
      kind: 'COPY',
      from: 'build',
      chmod: '755',
      sources: ['/a', '/b'],
      dest: '/dest/',
      link: false,
    });
    expect(df.warnings.join()).toContain('# syntax=docker/dockerfile:1 is accepted and ignored');
  });

  it('a directive after an instruction or a comment is a comment', () => {
    const df = parseDockerfile('# hello\n# escape=`\nFROM x\nRUN a \\\n b');
    expect(df.directives.escape).toBe('\\');
    expect(df.stages[0]!.instructions[0]).toMatchObject({ cmd: { text: 'a  b' } });
  });

  it('the escape directive changes the continuation character', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nRUN dir C:\\ `\n  /w');
    expect(df.stages[0]!.instructions[0]).toMatchObject({ cmd: { text: 'dir C:\\   /w' } });
  });

  it('JSON and shell forms; SHELL must be JSON', () => {
    const df = parseDockerfile('FROM x\nCMD ["a", "b c"]\nENTRYPOINT [not json\nSHELL ["/bin/bash", "-c"]');
    const [cmd, ep, sh] = df.stages[0]!.instructions;
    expect(cmd).toMatchObject({ kind: 'CMD', cmd: { form: 'exec', args: ['a', 'b c'] } });
    expect(ep).toMatchObject({ kind: 'ENTRYPOINT', cmd: { form: 'shell', text: '[not json' } });
    expect(sh).toMatchObject({ kind: 'SHELL', shell: ['/bin/bash', '-c'] });
    expect(() => parseDockerfile('FROM x\nSHELL /bin/sh')).toThrow('SHELL requires the arguments to be in JSON form');
  });

  it('ENV and LABEL pairs with quotes, and the legacy form', () => {
    const df = parseDockerfile('FROM x\nENV A=1 B="two words" C=a\\ b\nENV OLD the rest of it\nLABEL "k 1"=v');
    const [e1, e2, l] = df.stages[0]!.instructions;
    expect(e1).toMatchObject({
      pairs: [
        ['A', '1'],
        ['B', '"two words"'],
        ['C', 'a\\ b'],
      ],
    });
    expect(e2).toMatchObject({ pairs: [['OLD', 'the rest of it']] });
    expect(l).toMatchObject({ pairs: [['"k 1"', 'v']] });
  });

  it('heredocs on RUN and COPY', () => {
    const df = parseDockerfile(
      [
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
        'USER u',
      ].join('\n'),
    );
    const [run, copy, user] = df.stages[0]!.instructions;
    expect(run).toMatchObject({
      kind: 'RUN',
      heredocs: [{ name: 'EOF', content: 'echo a\n  echo b\n', quoted: false }],
    });
    expect(copy).toMatchObject({
      kind: 'COPY',
      sources: ['<<-"END"', '<<TWO'],
      dest: '/dest/',
      heredocs: [
        { name: 'END', content: '$NOT\n', quoted: true, chomp: true },
        { name: 'TWO', content: 'two\n', quoted: false },
      ],
    });
    expect(user).toMatchObject({ kind: 'USER', value: 'u', loc: { start: 11 } });
  });

  it('HEALTHCHECK, ONBUILD, ARG, EXPOSE, VOLUME', () => {
    const df = parseDockerfile(
      'FROM x\nHEALTHCHECK --interval=5s --retries=3 CMD ["true"]\nHEALTHCHECK NONE\nONBUILD RUN echo hi\nARG A B=2\nEXPOSE 80/tcp 53/udp\nVOLUME ["/a", "/b"]\nVOLUME /c /d',
    );
    const [hc, none, ob, arg, ex, v1, v2] = df.stages[0]!.instructions;
    expect(hc).toMatchObject({
      kind: 'HEALTHCHECK',
      interval: '5s',
      retries: '3',
      cmd: { form: 'exec', args: ['true'] },
    });
    expect(none).toMatchObject({ kind: 'HEALTHCHECK', cmd: null });
    expect(ob).toMatchObject({ kind: 'ONBUILD', trigger: 'RUN echo hi', parsed: { kind: 'RUN' } });
    expect(arg).toMatchObject({ args: [{ name: 'A' }, { name: 'B', value: '2' }] });
    expect(ex).toMatchObject({ values: ['80/tcp', '53/udp'] });
    expect(v1).toMatchObject({ values: ['/a', '/b'] });
    expect(v2).toMatchObject({ values: ['/c', '/d'] });
  });

  it('errors name the line', () => {
    const at = (src: string) => {
      try {
        parseDockerfile(src);
      } catch (e) {
        expect(e).toBeInstanceOf(DockerfileError);
        return [(e as DockerfileError).line, (e as Error).message];
      }
      throw new Error('no error');
    };
    expect(at('FROM x\n\nFOO bar')).toEqual([3, 'unknown instruction: FOO']);
    expect(at('RUN x')).toEqual([1, 'no build stage in current context']);
    expect(at('FROM x\nCOPY --frm=a b c')).toEqual([2, 'unknown flag: frm']);
    expect(at('FROM x\nCOPY onlyone')).toEqual([
      2,
      'COPY requires at least two arguments, but only one was provided. Destination could not be determined.',
    ]);
    expect(at('FROM a AS x\nFROM b AS X')).toEqual([2, 'duplicate stage name "x"']);
    expect(at('FROM x\nONBUILD FROM y')).toEqual([2, "FROM isn't allowed as an ONBUILD trigger"]);
    expect(at('FROM x\nRUN <<EOF\nnever ends')).toEqual([2, 'unterminated heredoc EOF']);
    expect(at('# comment only\n')).toEqual([1, 'file with no instructions']);
  });
});
