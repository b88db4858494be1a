//! The result of checking a profile: each refusal with its line and a reason in plain words.
use serde::Serialize;

use crate::Lang;

/// Which kind of profile a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ProfileKind {
    /// An OpenVPN configuration (`.ovpn`, `.conf`).
    OpenVpn,
    /// A WireGuard configuration (`.conf` with an `[Interface]` section).
    WireGuard,
}

impl ProfileKind {
    /// The file extension used when the profile is stored.
    pub fn extension(self) -> &'static str {
        match self {
            ProfileKind::OpenVpn => "ovpn",
            ProfileKind::WireGuard => "conf",
        }
    }
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The directive runs a program or loads code (`up`, `plugin`, `PostUp`…).
    RunsCommands,
    /// The directive reads or writes files, or changes how the process runs (`log`,
    /// `daemon`, `cd`, `management`…).
    TouchesFilesOrProcess,
    /// A password is read from a file or written in the profile.
    PasswordInFile,
    /// The directive is not on the list of what a client profile needs.
    NotAllowed,
    /// The directive is not allowed inside a `<connection>` block.
    NotAllowedInConnection,
    /// A `<connection>` block inside another.
    NestedConnection,
    /// An inline block `<tag>` never closed.
    UnclosedBlock {
        /// The tag.
        tag: String,
    },
    /// An inline block for a directive that does not take one.
    BlockNotAllowed,
    /// An empty inline block.
    EmptyBlock,
    /// A referenced file is not in the profile's folder (absolute path, `..`, a link
    /// leading out).
    FileOutsideFolder {
        /// The path as written.
        path: String,
    },
    /// A referenced file does not exist or cannot be read.
    FileMissing {
        /// The path as written.
        path: String,
    },
    /// A referenced file is too large.
    FileTooLarge {
        /// The path as written.
        path: String,
    },
    /// A referenced text file is not text.
    FileNotText {
        /// The path as written.
        path: String,
    },
    /// `[inline]` given but no matching block.
    InlineBlockMissing,
    /// Wrong number or form of parameters.
    BadArguments,
    /// Quoting or escaping the way OpenVPN would reject or misread.
    BadQuoting,
    /// A line longer than OpenVPN reads.
    LineTooLong,
    /// The file is not UTF-8 text, or holds NUL bytes.
    NotText,
    /// The file is larger than any profile should be.
    TooLarge,
    /// No server to connect to.
    NoRemote,
    /// A WireGuard key that is not 32 bytes of base64.
    BadKey,
    /// A WireGuard address or network that is not valid.
    BadAddress,
    /// A WireGuard value that is not valid (port, MTU, keepalive, endpoint).
    BadValue,
    /// A WireGuard line outside `[Interface]`/`[Peer]` or not `Key = Value`.
    BadSyntax,
    /// A required WireGuard setting is missing or repeated.
    MissingOrRepeated,
}

impl Reason {
    /// The reason in plain words.
    pub fn message(&self, lang: Lang) -> String {
        let (it, en): (String, String) = match self {
            Reason::RunsCommands => (
                "esegue comandi o carica programmi sul computer: non è ammesso".into(),
                "runs commands or loads programs on the computer: not allowed".into(),
            ),
            Reason::TouchesFilesOrProcess => (
                "legge o scrive file sul computer o cambia il modo in cui gira il programma: non è ammesso".into(),
                "reads or writes files on the computer or changes how the program runs: not allowed".into(),
            ),
            Reason::PasswordInFile => (
                "legge la password da un file o la contiene in chiaro: le credenziali vanno inserite nell'app, che le conserva nel portachiavi".into(),
                "reads the password from a file or contains it in clear: enter the credentials in the app, which keeps them in the keychain".into(),
            ),
            Reason::NotAllowed => (
                "direttiva non prevista per un profilo client".into(),
                "directive not expected in a client profile".into(),
            ),
            Reason::NotAllowedInConnection => (
                "direttiva non ammessa dentro un blocco <connection>".into(),
                "directive not allowed inside a <connection> block".into(),
            ),
            Reason::NestedConnection => (
                "blocco <connection> dentro un altro blocco <connection>".into(),
                "<connection> block inside another <connection> block".into(),
            ),
            Reason::UnclosedBlock { tag } => (
                format!("il blocco <{tag}> non viene mai chiuso con </{tag}>"),
                format!("the <{tag}> block is never closed with </{tag}>"),
            ),
            Reason::BlockNotAllowed => (
                "questa direttiva non può essere scritta come blocco".into(),
                "this directive cannot be written as a block".into(),
            ),
            Reason::EmptyBlock => ("blocco vuoto".into(), "empty block".into()),
            Reason::FileOutsideFolder { path } => (
                format!("il file «{path}» non è nella cartella del profilo"),
                format!("the file “{path}” is not in the profile's folder"),
            ),
            Reason::FileMissing { path } => (
                format!("il file «{path}» non si trova accanto al profilo o non è leggibile"),
                format!("the file “{path}” is not next to the profile or cannot be read"),
            ),
            Reason::FileTooLarge { path } => (
                format!("il file «{path}» è troppo grande"),
                format!("the file “{path}” is too large"),
            ),
            Reason::FileNotText { path } => (
                format!("il file «{path}» non è un file di testo"),
                format!("the file “{path}” is not a text file"),
            ),
            Reason::InlineBlockMissing => (
                "indica [inline] ma il blocco corrispondente manca".into(),
                "says [inline] but the matching block is missing".into(),
            ),
            Reason::BadArguments => (
                "parametri mancanti o non validi".into(),
                "missing or invalid parameters".into(),
            ),
            Reason::BadQuoting => (
                "virgolette o barre rovesciate usate in modo non valido".into(),
                "quotes or backslashes used in an invalid way".into(),
            ),
            Reason::LineTooLong => ("riga troppo lunga".into(), "line too long".into()),
            Reason::NotText => (
                "il file non è un profilo di testo".into(),
                "the file is not a text profile".into(),
            ),
            Reason::TooLarge => (
                "il file è troppo grande per essere un profilo".into(),
                "the file is too large to be a profile".into(),
            ),
            Reason::NoRemote => (
                "manca l'indirizzo del server (remote)".into(),
                "the server address (remote) is missing".into(),
            ),
            Reason::BadKey => (
                "chiave non valida (servono 32 byte in base64)".into(),
                "invalid key (32 bytes in base64 are needed)".into(),
            ),
            Reason::BadAddress => (
                "indirizzo o rete non validi".into(),
                "invalid address or network".into(),
            ),
            Reason::BadValue => ("valore non valido".into(), "invalid value".into()),
            Reason::BadSyntax => (
                "riga non valida: serve «Chiave = valore» dentro [Interface] o [Peer]".into(),
                "invalid line: “Key = value” inside [Interface] or [Peer] is needed".into(),
            ),
            Reason::MissingOrRepeated => (
                "impostazione obbligatoria mancante o ripetuta".into(),
                "required setting missing or repeated".into(),
            ),
        };
        match lang {
            Lang::En => en,
            _ => it,
        }
    }
}

/// One refused line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// 1-based line number in the profile (0 for the file as a whole).
    pub line: usize,
    /// The directive (or WireGuard key, or block tag) as written.
    pub directive: String,
    /// Why it is refused.
    pub reason: Reason,
}

impl Finding {
    /// "riga N, «directive»: reason" in the given language.
    pub fn message(&self, lang: Lang) -> String {
        let reason = self.reason.message(lang);
        let en = lang == Lang::En;
        match (en, self.line, self.directive.is_empty()) {
            (_, 0, _) => reason,
            (false, n, true) => format!("riga {n}: {reason}"),
            (true, n, true) => format!("line {n}: {reason}"),
            (false, n, false) => format!("riga {n}, «{}»: {reason}", self.directive),
            (true, n, false) => format!("line {n}, “{}”: {reason}", self.directive),
        }
    }
}

/// The outcome of checking one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// OpenVPN or WireGuard.
    pub kind: ProfileKind,
    /// What was refused; empty when the profile is acceptable.
    pub refused: Vec<Finding>,
    /// Files read from the profile's folder and written into the profile.
    pub inlined: Vec<String>,
    /// The servers the profile connects to (host and port as written).
    pub remotes: Vec<String>,
    /// `true` when the profile asks for a username and password (`auth-user-pass`).
    pub needs_credentials: bool,
}

impl LintReport {
    /// `true` when nothing was refused.
    pub fn acceptable(&self) -> bool {
        self.refused.is_empty()
    }
}

/// A checked profile: the report, and the profile to store when it is acceptable.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The lint result.
    pub report: LintReport,
    /// The profile with referenced files inlined; `None` when something was refused.
    pub profile: Option<String>,
}
