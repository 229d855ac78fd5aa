-- pandoc filter for docs/zgfs.1.md -> zgfs.1: keep to the man macros and
-- fonts every reader knows (groff, mandoc, man-db), so the page renders
-- without a warning anywhere.
local function roff_escape(line)
  line = line:gsub('\\', '\\e')
  line = line:gsub('-', '\\-')
  if line:match("^[.']") then line = '\\&' .. line end
  return line
end

-- Inline code: bold, the man page convention for what is typed as shown.
function Code(el)
  return pandoc.Strong({pandoc.Str(el.text)})
end

-- Code blocks: indented no-fill text in the regular font (pandoc would
-- select a constant-width font that mandoc does not know).
function CodeBlock(el)
  local out = {}
  for line in (el.text .. '\n'):gmatch('(.-)\n') do
    out[#out + 1] = roff_escape(line)
  end
  return pandoc.RawBlock('man', '.IP\n.nf\n' .. table.concat(out, '\n') .. '\n.fi')
end

-- A paragraph right after a heading needs no paragraph macro (mandoc
-- warns about one).
function Pandoc(doc)
  local blocks = {}
  for i, b in ipairs(doc.blocks) do
    if b.t == 'Para' and i > 1 and doc.blocks[i - 1].t == 'Header' then
      local text = pandoc.write(pandoc.Pandoc({b}), 'man'):gsub('^%.PP\n', '')
      b = pandoc.RawBlock('man', text)
    end
    blocks[#blocks + 1] = b
  end
  doc.blocks = blocks
  return doc
end
