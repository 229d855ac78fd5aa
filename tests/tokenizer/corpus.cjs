#!/usr/bin/env node
// Reference data for the C tokenizer, made with @lenml/tokenizers (the
// transformers.js tokenizer code) loading the same tokenizer.json.
//
//   node corpus.cjs TOKENIZER_DIR OUTDIR [N]
//
// writes OUTDIR/corpus.jsonl: N (default 12000) strings, deterministic
// (seeded PRNG), one {"cat", "hex" (UTF-8 bytes), "ids"} per line; and
// OUTDIR/ds-*.jsonl datasets with OUTDIR/datasets.json holding the counts
// the provider's rule gives for each (ref-count.cjs).
//
//   node corpus.cjs --dataset FILE MBYTES
//
// writes a fine-tuning dataset of about MBYTES MiB (instruction/input/output
// and messages rows of mixed text) for the benchmark; no tokenizer needed.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadReference, countDataset } = require('./ref-count.cjs');

const args = process.argv.slice(2);
const datasetMode = args[0] === '--dataset';
const [dir, outdir, nArg] = datasetMode ? [] : args;
if (datasetMode ? !args[1] || !(Number(args[2]) > 0) : !dir || !outdir) {
    process.stderr.write('usage: corpus.cjs TOKENIZER_DIR OUTDIR [N] | --dataset FILE MBYTES\n');
    process.exit(2);
}
const N = Number(nArg || 12000);

// mulberry32: small, fast, and the same sequence on every machine.
function prng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const rnd = prng(0x5eed2025);
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rnd() * a.length)];
const cp = (c) => String.fromCodePoint(c);
const rep = (n, f) => Array.from({ length: n }, f);
const fromRange = ([lo, hi]) => cp(int(lo, hi));

const WORDS = (
    'the of and to in is was for on that with as by at from his it an were are which this be ' +
    'or has had first one their its new after who they have her she two been other when there all ' +
    'during into school time may years more most only over city some world would where later up such ' +
    'used many can state about national out known university united then made team de three while ' +
    'between system under government season each well both because through being series called ' +
    'include training model dataset token provider network compute price epoch fine tuning adapter ' +
    'weight gradient loss batch learning rate sample output input instruction answer question ' +
    'Hello World The A In On HTTP JSON API GPU CPU Qwen LoRA TEE OpenAI README'
).split(' ');
const CONTRACTIONS = ["don't", "I'm", "they'll", "we've", "she'd", "it's", "can't", "won't",
                      "you're", "he'll", "DON'T", "I'M", "THEY'LL", "We'Ve", "It'S", "'s", "'re",
                      "o'clock", "rock'n'roll", "'tis", "y'all", "Ma'am", "'LL", "'D", "'M"];
const LATIN_ACCENTED = 'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĂăĄąĆćČčĎďĐđĒēĘęĚěĞğĦħĪīİıĶķĹĺĽľŁłŃńŇňŌōŐőŒœŘřŚśŞşŠšŢţŤťŪūŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǐǑǒǔǕǖȘșȚțẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹßÀÉÎÕÜÇÑ';
const ACCENT_WORDS = ['café', 'naïve', 'façade', 'résumé', 'Straße', 'Größe', 'über', 'jalapeño',
                      'São Paulo', 'Kraków', 'Łódź', 'Tiếng Việt', 'Nguyễn', 'ångström', 'crème brûlée',
                      'Zürich', 'déjà vu', 'piñata', 'Ærøskøbing', 'İstanbul', 'Dvořák', 'Şişli'];
const COMBINING = [[0x300, 0x36f], [0x1ab0, 0x1abd], [0x1dc0, 0x1dff], [0x20d0, 0x20dc], [0xfe20, 0xfe2f]];
const SCRIPTS = {
    greek: [[0x391, 0x3a9], [0x3b1, 0x3c9]],
    cyrillic: [[0x410, 0x44f]],
    armenian: [[0x531, 0x556], [0x561, 0x586]],
    hebrew: [[0x5d0, 0x5ea]],
    arabic: [[0x627, 0x64a], [0x660, 0x669]],
    devanagari: [[0x905, 0x939], [0x93e, 0x94d], [0x966, 0x96f]],
    bengali: [[0x985, 0x9b9]],
    thai: [[0xe01, 0xe30], [0xe31, 0xe3a], [0xe50, 0xe59]],
    georgian: [[0x10d0, 0x10fa]],
    ethiopic: [[0x1200, 0x1248]],
    hangul: [[0xac00, 0xd7a3]],
    hiragana: [[0x3041, 0x3096]],
    katakana: [[0x30a1, 0x30fa]],
    cjk: [[0x4e00, 0x9fa5]],
    cjkA: [[0x3400, 0x4db5]],
    fullwidth: [[0xff01, 0xff5e]],
};
const CJK_COMMON = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质信';
const EMOJI = ['😀', '😂', '🥲', '😍', '🤔', '👍', '👍🏽', '👋🏿', '🙏', '🔥', '✨', '🎉', '❤️', '💔',
               '🇺🇸', '🇯🇵', '🇩🇪', '🏳️‍🌈', '🏴‍☠️', '👨‍👩‍👧‍👦', '👩‍💻', '🧑🏾‍🚀', '👨🏻‍⚕️', '1️⃣', '#️⃣', '©️',
               '™️', '🚀', '🤖', '🧠', '🍕', '☕', '⚽', '🌍', '🐍', '🦀', '👀', '💯', '🫠', '🥹', '🫶🏼',
               '🧔‍♀️', '👁️‍🗨️', '🐻‍❄️', '❤️‍🔥', '😶‍🌫️', '🇪🇺', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '☝🏻', '✌️'];
const WS = [' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n', '\n ', '\t\t', '    ', '\u00a0',
            '\u3000', '\u2003', ' \t \n', '\n\n\n', '        ', '\r', '\u2009', '\u202f', '\u2028'];
const SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|object_ref_start|>',
                 '<|box_start|>', '<|vision_start|>', '<|fim_prefix|>', '<|fim_middle|>',
                 '<|fim_suffix|>', '<|repo_name|>', '<|file_sep|>', '<tool_call>', '</tool_call>',
                 '<think>', '</think>', '<tool_response>', '</tool_response>'];
const NEAR_SPECIAL = ['<|im_start', '<|im_end|', '<|endoftext', '<think', '</think', '<|', '|>',
                      '<|im_start|', 'im_start|>', '<|IM_START|>', '< think>', '<tool_call'];

const sentence = () => {
    const s = rep(int(3, 18), () => pick(WORDS)).join(' ');
    return s[0].toUpperCase() + s.slice(1) + pick(['.', '!', '?', ',', ';', ':', '', '...']);
};
const number = () => pick([
    () => String(int(0, 9)), () => String(int(0, 99999)), () => String(int(0, 2 ** 31)) + String(int(0, 2 ** 31)),
    () => (rnd() * 1000).toFixed(int(1, 6)), () => '-' + int(1, 999), () => int(1, 999) + ',' + String(int(0, 999)).padStart(3, '0'),
    () => `${int(1990, 2030)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
    () => `+1 (${int(200, 999)}) ${int(200, 999)}-${int(1000, 9999)}`, () => '0x' + int(0, 2 ** 31).toString(16),
    () => `${int(1, 9)}.${int(0, 9)}e-${int(1, 30)}`, () => '١٢٣٤', () => '१२३', () => '½ ¾ ²³ Ⅻ ①②',
])();
const CODE = [
    'int main(void) {\n    printf("hello, %s\\n", name);\n    return 0;\n}\n',
    'def f(x):\n    """Docstring."""\n    if x is None:\n        return []\n    return [i * 2 for i in range(x)]\n',
    'const add = (a, b) => a + b;\nexport default { add };\n',
    'for (size_t i = 0; i < n; i++)\n\tsum += a[i] * b[i];\n',
    '#include <stdio.h>\n#define MAX(a,b) ((a)>(b)?(a):(b))\n',
    'SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC LIMIT 10;',
    '<div class="x"><span id=\'y\'>&amp; &lt;tag&gt;</span></div>',
    'fn main() -> Result<(), Box<dyn Error>> {\n    let v: Vec<u8> = vec![1, 2, 3];\n    Ok(())\n}',
    'if [[ -z $HOME ]]; then echo "no home" >&2; exit 1; fi',
    'x = {"a": [1, 2.5, None], \'b\': True}  # comment\n',
    'git commit -m "Fix: don\'t crash on empty input" && git push origin main',
    '    \t  return self.__dict__.get(key, default)  \n\n\n',
    'λx.λy.x y ≡ K; ∀ε>0 ∃δ>0: |x−a|<δ ⇒ |f(x)−f(a)|<ε',
    'https://example.com/path/to/page?query=a%20b&lang=zh-CN#section-2',
    'user@example.org, C:\\Users\\Name\\file.txt, /usr/local/bin/zgfs --mount /mnt/zg',
];
const randomObject = (depth) => {
    if (depth > 2 || rnd() < 0.3)
        return pick([() => int(-1000, 1000), () => rnd() * 100, () => sentence(), () => true,
                     () => null, () => pick(ACCENT_WORDS), () => pick(EMOJI)])();
    if (rnd() < 0.4) return rep(int(0, 4), () => randomObject(depth + 1));
    const o = {};
    for (let i = int(1, 4); i > 0; i--) o[pick(WORDS) + (rnd() < 0.3 ? '_' + pick(WORDS) : '')] = randomObject(depth + 1);
    return o;
};
const script = (name, n) => rep(n, () => fromRange(pick(SCRIPTS[name]))).join('');
const words = (name) => rep(int(1, 8), () => script(name, int(1, 7))).join(pick([' ', ' ', '  ', ', ', '\n']));

// Each category: a name and how to make one string.
const CATS = [
    ['ascii', 1.2, () => rep(int(1, 4), sentence).join(' ')],
    ['contraction', 0.6, () => rep(int(1, 6), () => pick([pick(CONTRACTIONS), pick(WORDS), sentence()])).join(pick([' ', '', '  ']))],
    ['accents', 0.7, () => rep(int(1, 6), () => pick([pick(ACCENT_WORDS), rep(int(1, 6), () => pick([...LATIN_ACCENTED])).join(''), pick(WORDS)])).join(' ')],
    ['nfd', 0.6, () => rep(int(1, 5), () => pick([pick(ACCENT_WORDS), rep(int(1, 8), () => pick([...LATIN_ACCENTED])).join('')])).join(' ').normalize('NFD')],
    ['combining', 0.6, () => rep(int(1, 6), () => pick(['a', 'e', 'o', 'A', 'n', 'ℵ', 'α', 'ω', 'и', 'ᄀ', '가', ' ', 'i']) + rep(int(0, 4), () => fromRange(pick(COMBINING))).join('')).join('')],
    ['cjk', 0.9, () => rep(int(1, 4), () => pick([rep(int(2, 30), () => pick([...CJK_COMMON])).join('') + pick(['。', '，', '！', '？', '、', '']), words('hiragana'), words('katakana'), words('hangul'), words('cjkA'), script('fullwidth', int(1, 10))])).join(pick(['', ' ', '\n']))],
    ['emoji', 0.8, () => rep(int(1, 8), () => pick([pick(EMOJI), pick(EMOJI) + pick(EMOJI), pick(WORDS), ' '])).join(pick(['', ' ', '']))],
    ['whitespace', 0.8, () => rep(int(1, 8), () => pick([pick(WS), pick(WS) + pick(WS), pick(WORDS), pick(['.', ',', '-', '!'])])).join('')],
    ['digits', 0.6, () => rep(int(1, 6), () => pick([number(), pick(WORDS), number() + pick(WORDS)])).join(pick([' ', '', ', ', '\n']))],
    ['code', 0.8, () => rep(int(1, 3), () => pick(CODE)).join(pick(['', '\n', '\n\n']))],
    ['json', 0.6, () => JSON.stringify(randomObject(0), null, pick([undefined, 2, 4, '\t']))],
    ['scripts', 0.8, () => rep(int(1, 6), () => pick([words(pick(Object.keys(SCRIPTS))), pick(WORDS), number()])).join(pick([' ', ' ', '\n', ', ']))],
    ['long', 0.3, () => pick([
        () => rep(int(50, 600), () => pick([...'abcdefghijklmnopqrstuvwxyz'])).join(''),
        () => pick(['a', 'ab', '=', '-', ' ', '0', '\n', 'é', '中', '😀', '\t']).repeat(int(20, 1500)),
        () => Buffer.from(rep(int(30, 900), () => int(0, 255))).toString('base64'),
        () => 'https://' + rep(int(5, 40), () => pick(WORDS)).join('/') + '?' + rep(int(1, 20), () => pick(WORDS) + '=' + number()).join('&'),
        () => 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(int(1, 20)),
        () => rep(int(20, 300), () => pick([...CJK_COMMON])).join(''),
    ])()],
    ['special', 0.7, () => rep(int(1, 8), () => pick([pick(SPECIAL), pick(SPECIAL), pick(NEAR_SPECIAL), sentence(), pick(WS), 'user\n', 'assistant\n', pick(EMOJI)])).join(pick(['', '', ' ', '\n']))],
    ['chat', 0.4, () => rep(int(1, 4), () => `<|im_start|>${pick(['system', 'user', 'assistant'])}\n${pick([sentence(), words('cjk'), pick(CODE)])}<|im_end|>`).join('\n') + pick(['', '\n<|im_start|>assistant\n', '<think>\n\n</think>\n\n'])],
    ['mixed', 0.9, () => rep(int(2, 10), () => pick([sentence(), pick(EMOJI), words(pick(Object.keys(SCRIPTS))), number(), pick(WS), pick(CONTRACTIONS), pick(ACCENT_WORDS), pick(SPECIAL), pick(['(', ')', '[', ']', '{', '}', '"', "'", '`', '—', '–', '…', '«', '»', '“', '”', '„', '‘', '’', '•', '§', '°', '€', '£', '¥', '¢', '@', '#', '$', '%', '^', '&', '*', '_', '+', '=', '|', '\\', '/', '<', '>', '~'])])).join(pick(['', ' ']))],
    ['ascii-bytes', 0.3, () => rep(int(1, 40), () => cp(int(0, 127))).join('')],
    ['bmp', 0.6, () => rep(int(1, 20), () => {
        // Letters, marks, symbols from long-assigned BMP blocks (Unicode <= 6):
        // newer characters may differ between the regex engines' Unicode tables.
        const c = pick([[0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x2000, 0x206f], [0x2100, 0x22ff],
                        [0x2500, 0x27bf], [0x3000, 0x303f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfb00, 0xfb4f],
                        [0xfe30, 0xfe4f], [0xff00, 0xffef], [0x1d400, 0x1d7ff]]);
        return fromRange(c);
    }).join(pick(['', ' ']))],
];

// Pseudo-words from syllables: a long tail of rare words, as real text has,
// so a benchmark does not live off the word cache alone.
const SYL = 'ka ri to me an el on is ur ba de fi go hu ja ke lo mu ne pa qu ra si tu ve wo xe yo za th st ch sh ing tion er est'.split(' ');
const pseudo = () => rep(int(1, 4), () => pick(SYL)).join('');
const prose = () => {
    const s = rep(int(4, 24), () => (rnd() < 0.75 ? pick(WORDS) : pseudo())).join(' ');
    return s[0].toUpperCase() + s.slice(1) + pick(['.', '.', '!', '?', ',', ':']);
};
const benchText = () => pick([
    () => rep(int(1, 6), prose).join(' '), () => rep(int(1, 6), prose).join(' '), () => rep(int(1, 6), prose).join('\n'),
    () => rep(int(1, 3), () => pick(CODE)).join('\n'), () => rep(int(10, 120), () => pick([...CJK_COMMON])).join('') + '。',
    () => JSON.stringify(randomObject(0)), () => rep(int(1, 4), () => number() + ' ' + prose()).join(' '),
    () => rep(int(2, 8), () => pick([prose(), pick(ACCENT_WORDS), words(pick(Object.keys(SCRIPTS))), pick(EMOJI)])).join(' '),
])();

if (datasetMode) {
    const file = args[1], limit = Number(args[2]) * 1024 * 1024;
    const fd = fs.openSync(file, 'w');
    let size = 0, rows = 0, batch = [];
    while (size < limit) {
        const row = rnd() < 0.8
            ? { instruction: benchText(), input: rnd() < 0.5 ? '' : benchText(), output: benchText() }
            : { messages: [{ role: 'system', content: prose() }, { role: 'user', content: benchText() },
                           { role: 'assistant', content: benchText() }] };
        const line = JSON.stringify(row) + '\n';
        size += Buffer.byteLength(line);
        rows++;
        batch.push(line);
        if (batch.length === 1000) {
            fs.writeSync(fd, batch.join(''));
            batch = [];
        }
    }
    fs.writeSync(fd, batch.join(''));
    fs.closeSync(fd);
    process.stderr.write(`corpus: dataset of ${rows} rows, ${size} bytes in ${file}\n`);
    process.exit(0);
}
const tok = loadReference(dir);

// Fixed strings first: edge cases that random text may miss.
const fixed = [
    ['edge', ''], ['edge', ' '], ['edge', '\n'], ['edge', 'a'], ['edge', "don't"], ['edge', "DON'T"],
    ['edge', "I'm"], ['edge', 'Hello, world!'], ['edge', '  leading and trailing  '], ['edge', '\n\n\n'],
    ['edge', '<|im_start|>'], ['edge', '<|im_start|><|im_end|>'], ['edge', '<|im_start|>user\nhi<|im_end|>'],
    ['edge', '<|endoftext|><|endoftext|>'], ['edge', 'x<|im_end|>y'], ['edge', '<<|im_start|>>'],
    ['edge', 'e\u0301'], ['edge', '\u1100\u1161\u11a8'], ['edge', 'a\u0323\u0302'], ['edge', 'a\u0302\u0323'],
    ['edge', 'Å'], ['edge', '\u212b'], ['edge', '\u2126'], ['edge', '\uf900'], ['edge', '\u0344'],
    ['edge', '\u00a0'], ['edge', '\u3000x'], ['edge', 'x\u00a0\u00a0y'], ['edge', '1234567890'],
    ['edge', '3.14159'], ['edge', '\t\tindent'], ['edge', 'a\r\nb'], ['edge', 'a \r\n b'],
    ['edge', '😀'], ['edge', '👨‍👩‍👧‍👦'], ['edge', '🇺🇸🇯🇵'], ['edge', '\u0000'], ['edge', 'a\u0000b'],
    ['edge', '\u007f'], ['edge', '\ud7ff'], ['edge', '\ue000'], ['edge', '\u{10ffff}'], ['edge', '\u{1f600}x'],
    ['edge', 'ǅ'], ['edge', 'ﬁ'], ['edge', '①'], ['edge', '\u200b'], ['edge', '\u200d'], ['edge', 'a\u200db'],
    // Single words far longer than the word cache takes.
    ['long-word', ' '.repeat(20000) + 'x'], ['long-word', 'a'.repeat(20000)], ['long-word', '中'.repeat(8000)],
    ['long-word', '😀'.repeat(5000)], ['long-word', 'e\u0301'.repeat(5000)], ['long-word', '\n '.repeat(10000)],
];
// Every character with a canonical decomposition, raw and decomposed, 16
// per string: checks the NFC tables against the reference engine's.
const decomposable = [];
for (let c = 0xc0; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = cp(c);
    if (s.normalize('NFD') !== s) decomposable.push(s);
}
for (let i = 0; i < decomposable.length; i += 16) {
    const chunk = decomposable.slice(i, i + 16).join(' ');
    fixed.push(['nfc-table', chunk], ['nfc-table', chunk.normalize('NFD')]);
}

fs.mkdirSync(outdir, { recursive: true });
const out = fs.openSync(path.join(outdir, 'corpus.jsonl'), 'w');
const weight = CATS.reduce((a, c) => a + c[1], 0);
let written = 0;
const put = (cat, text) => {
    const ids = Array.from(tok.encode(text));
    fs.writeSync(out, JSON.stringify({ cat, hex: Buffer.from(text, 'utf8').toString('hex'), ids }) + '\n');
    written++;
};
for (const [cat, text] of fixed) put(cat, text);
while (written < N) {
    let r = rnd() * weight, c = CATS[0];
    for (const k of CATS) {
        if ((r -= k[1]) < 0) {
            c = k;
            break;
        }
    }
    put(c[0], c[2]());
}
fs.closeSync(out);

// Datasets for the counting rule: each row shape, edge rows, blank lines.
const rowText = () => pick([sentence, () => words('cjk'), () => pick(CODE), () => pick(EMOJI) + sentence(),
                            () => rep(int(1, 3), () => pick(SPECIAL)).join('') + sentence(), () => ''])();
const datasets = {
    'ds-instruction.jsonl': rep(200, () => ({ instruction: rowText(), input: pick([rowText(), '', undefined, null]), output: rowText() })),
    'ds-messages.jsonl': rep(200, () => ({
        messages: rep(int(1, 6), (_, i) => ({ role: pick(['system', 'user', 'assistant', 'user', 'assistant', 'tool']), content: rowText() })),
    })),
    'ds-text.jsonl': rep(200, () => ({ text: rowText() + '\n' + rowText() })),
    'ds-mixed.jsonl': rep(300, () => pick([
        () => ({ instruction: rowText(), input: rowText(), output: rowText(), extra: 'not counted' }),
        () => ({ messages: [{ role: 'user', content: rowText() }, { role: 'assistant', content: rowText() }] }),
        () => ({ text: rowText() }),
    ])()),
};
const expect = {};
for (const [name, rows] of Object.entries(datasets)) {
    // Blank lines and CRLF line ends are part of what a reader must handle.
    const lines = rows.map((r) => JSON.stringify(r) + pick(['\n', '\n', '\r\n', '\n\n', '\n   \n']));
    const file = path.join(outdir, name);
    fs.writeFileSync(file, lines.join(''));
    expect[name] = countDataset(tok, file);
}
fs.writeFileSync(path.join(outdir, 'datasets.json'), JSON.stringify(expect, null, 1) + '\n');
process.stderr.write(`corpus: ${written} strings, ${Object.keys(datasets).length} datasets in ${outdir}\n`);
