// Working as a team: the words of Settings → Team, the sync indicator and a product's lost
// values, in Russian and English; what the back end sends (TeamStatusDto) worded here.
import { i18n } from './i18n.svelte';
import type { Language, TeamStatusDto } from './ipc';

const ru = {
  'title': 'Команда',
  'lead': 'Несколько компьютеров работают с одним каталогом через общий сервер PostgreSQL. Каждый работает и без сети; изменения расходятся, когда сеть есть.',
  'notJoined': 'Этот каталог не в команде.',
  'join': 'Подключиться к команде', 'joinCode': 'Код приглашения', 'joinCodeHint': 'Код выдаёт администратор команды. Будет создан новый каталог с данными команды, и Vitrina перезапустится.',
  'joinButton': 'Подключиться', 'joining': 'Подключение…',
  'create': 'Создать команду', 'createUrl': 'Адрес сервера (пользователь, который может создавать роли)', 'createName': 'Ваше имя',
  'createHint': 'Каталог этого компьютера станет каталогом команды, вы — её первым администратором. Пароль сервера используется один раз и нигде не сохраняется.',
  'createButton': 'Создать', 'creating': 'Создание…',
  'server': 'Сервер', 'member': 'Вы', 'role.viewer': 'просмотр', 'role.editor': 'редактор', 'role.admin': 'администратор',
  'lastSync': 'Последняя синхронизация', 'never': 'ещё не было', 'pending': 'Не отправлено изменений', 'failure': 'Последняя ошибка',
  'clashes': 'Товаров с артикулом, который уже есть у другого товара команды: {n}',
  'viewerNote': 'Роль «просмотр»: каталог команды можно смотреть, но не менять. Сделать вас редактором может администратор.',
  'syncNow': 'Синхронизировать', 'syncing': 'Синхронизация…', 'synced': 'Отправлено {p}, получено {g}',
  'invite': 'Пригласить', 'inviteName': 'Имя', 'inviteRole': 'Роль', 'inviteButton': 'Создать приглашение',
  'inviteCode': 'Код для {name} — передайте его лично, в нём пароль этого участника:', 'copy': 'Копировать', 'copied': 'Скопировано',
  'members': 'Участники', 'membersLoad': 'Показать участников', 'devices': 'устройств: {n}',
  'leave': 'Выйти из команды', 'leaveConfirm': 'Каталог останется на этом компьютере, но перестанет синхронизироваться. Выйти?',
  'ind.off': 'Без команды', 'ind.ok': 'Синхронизировано {when}', 'ind.pending': 'Ждут отправки: {n}', 'ind.failed': 'Нет связи с командой',
  'ind.never': 'Ещё не синхронизировано', 'ind.viewer': '{text} · только просмотр',
  'lost': 'Не принятые значения', 'lostHint': 'Другой участник изменил поле одновременно с этим значением, и его изменение оказалось позже.',
  'lostBy': '{who} — {when}', 'won': 'принято: {value} ({who})', 'restore': 'Вернуть',
  'justNow': 'только что', 'minutesAgo': '{n} мин назад', 'hoursAgo': '{n} ч назад',
};
type WordKey = keyof typeof ru;
const en: Record<WordKey, string> = {
  'title': 'Team',
  'lead': 'Several computers work on one catalog through a shared PostgreSQL server. Each works offline too; changes travel when the network is there.',
  'notJoined': 'This catalog is not in a team.',
  'join': 'Join a team', 'joinCode': 'Invitation code', 'joinCodeHint': 'A team admin gives you the code. A new catalog is made with the team’s data, and Vitrina restarts.',
  'joinButton': 'Join', 'joining': 'Joining…',
  'create': 'Create a team', 'createUrl': 'Server address (a user who may create roles)', 'createName': 'Your name',
  'createHint': 'This computer’s catalog becomes the team’s, and you its first admin. The server’s password is used once and kept nowhere.',
  'createButton': 'Create', 'creating': 'Creating…',
  'server': 'Server', 'member': 'You', 'role.viewer': 'viewer', 'role.editor': 'editor', 'role.admin': 'admin',
  'lastSync': 'Last sync', 'never': 'not yet', 'pending': 'Changes not yet sent', 'failure': 'Last failure',
  'clashes': 'Products whose SKU another product of the team has: {n}',
  'viewerNote': 'Viewer: you can read the team’s catalog but not change it. An admin can make you an editor.',
  'syncNow': 'Sync now', 'syncing': 'Syncing…', 'synced': 'Sent {p}, received {g}',
  'invite': 'Invite', 'inviteName': 'Name', 'inviteRole': 'Role', 'inviteButton': 'Create an invitation',
  'inviteCode': 'The code for {name} — hand it over in person, it holds this member’s password:', 'copy': 'Copy', 'copied': 'Copied',
  'members': 'Members', 'membersLoad': 'Show members', 'devices': 'devices: {n}',
  'leave': 'Leave the team', 'leaveConfirm': 'The catalog stays on this computer but no longer syncs. Leave?',
  'ind.off': 'No team', 'ind.ok': 'Synced {when}', 'ind.pending': 'Waiting to send: {n}', 'ind.failed': 'No connection to the team',
  'ind.never': 'Not synced yet', 'ind.viewer': '{text} · read only',
  'lost': 'Values not taken', 'lostHint': 'Another member changed the field at the same time, and their change came later.',
  'lostBy': '{who} — {when}', 'won': 'taken: {value} ({who})', 'restore': 'Restore',
  'justNow': 'just now', 'minutesAgo': '{n} min ago', 'hoursAgo': '{n} h ago',
};

const words: Record<Language, Record<WordKey, string>> = { ru, en };
/** Every key of the section's words (for tests). */
export const WORD_KEYS = Object.keys(ru) as WordKey[];

function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : whole));
}

/** The team section's words in the person's language. */
export function tt(key: WordKey, params: Record<string, string | number> = {}): string {
  return fill(words[i18n.lang][key], params);
}

/** How long ago, in words: "just now", "5 min ago", "2 h ago", else the date. */
export function ago(ms: number, now = Date.now()): string {
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return tt('justNow');
  if (minutes < 60) return tt('minutesAgo', { n: minutes });
  if (minutes < 24 * 60) return tt('hoursAgo', { n: Math.floor(minutes / 60) });
  return new Date(ms).toLocaleDateString(i18n.lang === 'ru' ? 'ru-RU' : 'en-GB');
}

export type Indicator = { state: 'off' | 'ok' | 'pending' | 'failed'; text: string };

/** What the status bar's sync indicator says. */
export function indicator(s: TeamStatusDto | null, now = Date.now()): Indicator {
  if (!s || !s.joined) return { state: 'off', text: tt('ind.off') };
  if (s.error) return { state: 'failed', text: tt('ind.failed') };
  if (s.pending > 0 && s.may_edit) return { state: 'pending', text: tt('ind.pending', { n: s.pending }) };
  const shown: Indicator = s.last_sync === null
    ? { state: 'pending', text: tt('ind.never') }
    : { state: 'ok', text: tt('ind.ok', { when: ago(s.last_sync, now) }) };
  // A viewer's window says at a glance that it changes nothing.
  return s.may_edit ? shown : { ...shown, text: tt('ind.viewer', { text: shown.text }) };
}
