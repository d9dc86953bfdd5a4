// Starts the rich-text editor (django-prose-editor) on every text area that asks for it
// (programme/rich_text.py, RichTextarea). Without JavaScript, or if the editor cannot
// load, the text area stays as it is and the form still saves: the server cleans every
// value whatever the browser sends.
//
// Everything is a static file: the editor is imported by its path (an import map would
// be an inline script, which the content security policy refuses), and Tiptap's own
// style element is turned off (injectCSS) because its rules are in rich_text.css.

const SELECTOR = "textarea[data-rich-text-editor]"
// The toolbar, in this order; anything else the editor knows is left out.
const TOOLBAR = [
  ["bold", "italic"],
  ["bulletList", "orderedList"],
  ["heading3", "heading4", "paragraph", "blockquote"],
  ["link", "unlink"],
  ["history:undo", "history:redo"],
]

// The editor's style sheets, then the site's rules over them. Linked, not imported from
// rich_text.css: every one is then fetched from its own address, whoever reads them.
const STYLES = [
  "../django_prose_editor/material-icons.css",
  "../django_prose_editor/editor.css",
  "../css/rich_text.css",
]

function loadStyles() {
  return Promise.all(
    STYLES.map((path) => {
      const link = document.createElement("link")
      link.rel = "stylesheet"
      link.href = new URL(path, import.meta.url).href
      const loaded = new Promise((resolve) => {
        link.addEventListener("load", resolve)
        link.addEventListener("error", resolve)
      })
      document.head.append(link)
      return loaded
    }),
  )
}

// Plain text as it was typed before the editor: its blank lines are paragraphs, its
// single line breaks breaks. The stored text is clean HTML, with every "<" escaped.
function asParagraphs(text) {
  if (text.includes("<") || !text.trim()) return text
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((part) => `<p>${part.trim().replace(/\n/g, "<br>")}</p>`)
    .join("")
}

function isEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
}

// The WAI-ARIA toolbar pattern: one tab stop, the arrow keys move between the buttons.
function keyboardToolbar(menubar, label) {
  menubar.setAttribute("role", "toolbar")
  menubar.setAttribute("aria-label", label)
  let current = 0
  const visible = () =>
    [...menubar.querySelectorAll("button")].filter((button) => !button.classList.contains("hidden"))
  const update = () => {
    const buttons = visible()
    if (current >= buttons.length) current = 0
    buttons.forEach((button, index) => {
      button.tabIndex = index === current ? 0 : -1
    })
  }
  menubar.addEventListener("keydown", (event) => {
    const buttons = visible()
    const index = buttons.indexOf(document.activeElement)
    if (index < 0) return
    const moves = {
      ArrowRight: index + 1,
      ArrowDown: index + 1,
      ArrowLeft: index - 1,
      ArrowUp: index - 1,
      Home: 0,
      End: buttons.length - 1,
    }
    if (!(event.key in moves)) return
    event.preventDefault()
    current = (moves[event.key] + buttons.length) % buttons.length
    update()
    buttons[current].focus()
  })
  menubar.addEventListener("focusin", (event) => {
    const index = visible().indexOf(event.target)
    if (index >= 0) {
      current = index
      update()
    }
  })
  return update
}

function build(E, textarea) {
  const config = JSON.parse(textarea.dataset.richTextEditor)
  const { labels } = config
  // Tab leaves the editor, as everywhere on the page: no list item takes it to indent.
  const ListItem = E.ListItem.extend({
    addKeyboardShortcuts() {
      const shortcuts = { ...(this.parent?.() ?? {}) }
      delete shortcuts.Tab
      delete shortcuts["Shift-Tab"]
      return shortcuts
    },
  })
  const items = ({ editor, menu }) => {
    const defined = new Map(
      menu.items("nodes marks link history blockType lists headings").map((item) => [item.name, item]),
    )
    return TOOLBAR.map((names) =>
      menu.buttonGroup(
        { editor },
        names.map((name) => defined.get(name)).filter(Boolean),
      ),
    ).filter((group) => group.childElementCount)
  }

  const wrapper = document.createElement("div")
  wrapper.className = "prose-editor rich-text-editor"
  textarea.before(wrapper)
  wrapper.append(textarea)
  const required = textarea.required
  // The hidden area can take no focus, so the browser could not say it is empty.
  textarea.required = false
  // The editable area is a named text box from its first drawing: named by the field's
  // label and described by its help and errors.
  const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`) : null
  const attributes = { role: "textbox", "aria-multiline": "true" }
  if (label) {
    label.id ||= `${textarea.id}_label`
    attributes["aria-labelledby"] = label.id
  }
  for (const name of ["aria-describedby", "aria-invalid"]) {
    if (textarea.hasAttribute(name)) attributes[name] = textarea.getAttribute(name)
  }
  if (required) attributes["aria-required"] = "true"
  const editor = new E.Editor({
    element: wrapper,
    injectCSS: false,
    editorProps: { attributes },
    extensions: [
      E.Document,
      E.Paragraph,
      E.Text,
      E.HardBreak,
      E.Dropcursor,
      E.Gapcursor,
      E.Bold,
      E.Italic,
      E.BulletList,
      E.OrderedList.configure({ enableListAttributes: false }),
      ListItem,
      E.Heading.configure({ levels: config.headingLevels }),
      E.Blockquote,
      E.Link.configure({ enableTarget: false }),
      E.History,
      E.Menu.configure({ items }),
    ],
    content: asParagraphs(textarea.value),
    onUpdate({ editor }) {
      textarea.value = isEmpty(editor.getHTML())
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })

  // Tiptap builds the toolbar when it emits "create", after the constructor returns.
  editor.on("create", () => setTimeout(() => describeEditor(editor, textarea, required, labels)))
  return editor
}

function describeEditor(editor, textarea, required, labels) {
  const pressed = {
    bold: () => editor.isActive("bold"),
    italic: () => editor.isActive("italic"),
    bulletList: () => editor.isActive("bulletList"),
    orderedList: () => editor.isActive("orderedList"),
    heading3: () => editor.isActive("heading", { level: 3 }),
    heading4: () => editor.isActive("heading", { level: 4 }),
    blockquote: () => editor.isActive("blockquote"),
  }
  // The label moves the focus into the editable area (its name is set when it is built).
  const area = editor.view.dom
  const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`) : null
  if (label) {
    label.addEventListener("click", (event) => {
      event.preventDefault()
      editor.commands.focus()
    })
  }

  const wrapper = area.closest(".rich-text-editor")
  const menubar = wrapper.querySelector(".prose-menubar")
  const buttons = [...menubar.querySelectorAll("button[data-name]")]
  for (const button of buttons) {
    const name = labels[button.dataset.name]
    if (name) {
      button.title = name
      button.setAttribute("aria-label", name)
    }
  }
  const updateToolbar = keyboardToolbar(menubar, labels.toolbar)
  const describe = () => {
    for (const button of buttons) {
      const isPressed = pressed[button.dataset.name]
      if (isPressed) button.setAttribute("aria-pressed", String(isPressed()))
      button.setAttribute("aria-disabled", String(button.classList.contains("disabled")))
    }
    updateToolbar()
  }
  editor.on("transaction", describe)
  describe()
  wrapper.classList.add("rich-text-ready")
}

async function start() {
  const areas = [...document.querySelectorAll(SELECTOR)]
  if (!areas.length) return
  const { labels } = JSON.parse(areas[0].dataset.richTextEditor)
  // The link dialogue asks window.gettext for its words when the editor is loaded.
  window.gettext ||= (text) => labels[text] ?? text
  const [E] = await Promise.all([import("../django_prose_editor/editor.js"), loadStyles()])
  for (const textarea of areas) {
    if (!textarea.closest(".prose-editor")) build(E, textarea)
  }
}

start()
