//! Prompt templates: text with `{{placeholders}}` the product's data fills. Each (task, target
//! marketplace) has a Russian default written from that marketplace's content rules; a seller
//! may save their own, which becomes a new version (the old ones are kept). A template naming
//! a placeholder that does not exist is refused when saved, with the list of known ones.
//!
//! What the answer must look like is not the template's business: the system message (fixed
//! here) and the JSON schema say it, so an edited template cannot break the contract.

use std::fmt;
use std::hash::Hasher;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use vitrina_domain::StableHasher;

use crate::error::{AiError, Result};
use crate::rules::Target;

/// What a prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Check a card against the marketplace's content rules: a verdict with suggestions.
    Moderate,
    /// Write a description (and optionally a title) from the characteristics.
    Generate,
}

impl Task {
    pub fn code(self) -> &'static str {
        match self {
            Task::Moderate => "moderate",
            Task::Generate => "generate",
        }
    }
}

impl FromStr for Task {
    type Err = AiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "moderate" => Ok(Task::Moderate),
            "generate" => Ok(Task::Generate),
            other => Err(AiError::invalid(format!("\"{other}\" is not a task: moderate or generate"))),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Every placeholder a template may use, with what it holds.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("sku", "the seller's SKU"),
    ("name", "the title"),
    ("brand", "the brand"),
    ("model", "the model"),
    ("category", "the category path"),
    ("description", "the description as plain text"),
    ("attributes", "the characteristics, one per line"),
    ("images", "how many pictures"),
    ("marketplace", "the target marketplace's name"),
    ("name_max", "the marketplace's title limit"),
    ("description_min", "the description's recommended minimum"),
    ("description_max", "the marketplace's description limit"),
    ("language", "the language to write in"),
    ("tone", "the tone to write in"),
    ("rule_issues", "what the rule checks found, one per line"),
];

/// The values of one product's placeholders, in [`PLACEHOLDERS`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    pub values: Vec<(&'static str, String)>,
}

impl Vars {
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// A stable hash of every value (the product's side of the cache key).
    pub fn hash(&self) -> u64 {
        let mut h = StableHasher::new();
        for (name, value) in &self.values {
            h.write(name.as_bytes());
            h.write_u8(0);
            h.write(value.as_bytes());
            h.write_u8(0xff);
        }
        h.finish()
    }
}

/// Checks a template: not empty, not huge, every `{{…}}` a known placeholder, no brace left
/// open. The error names the unknown placeholder and lists the known ones.
pub fn validate(body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(AiError::invalid("the template is empty"));
    }
    if body.chars().count() > MAX_TEMPLATE {
        return Err(AiError::invalid(format!("the template is longer than {MAX_TEMPLATE} characters")));
    }
    let mut rest = body;
    while let Some(at) = rest.find("{{") {
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            return Err(AiError::invalid(format!(
                "a placeholder is opened with {{{{ and never closed: «{}»",
                after.chars().take(30).collect::<String>()
            )));
        };
        let name = after[..end].trim();
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            let known: Vec<String> = PLACEHOLDERS.iter().map(|(p, _)| format!("{{{{{p}}}}}")).collect();
            return Err(AiError::invalid(format!(
                "the template uses {{{{{name}}}}}, which is not a placeholder; known ones are {}",
                known.join(", ")
            )));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// The longest template accepted.
pub const MAX_TEMPLATE: usize = 20_000;

/// Fills a (valid) template.
pub fn render(body: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let mut rest = body;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(vars.get(after[..end].trim()));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A template in use: its text and which version it is (0 = the built-in default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub task: Task,
    pub target: Target,
    pub version: u32,
    pub body: String,
}

impl Prompt {
    pub fn default_for(task: Task, target: Target) -> Prompt {
        Prompt { task, target, version: 0, body: default_body(task, target).to_owned() }
    }

    /// The prompt's side of the cache key: the template, the fixed system message and the
    /// answer's contract, so a change to any of them sends products again.
    pub fn hash(&self, extra: &str) -> u64 {
        let mut h = StableHasher::new();
        h.write(self.task.code().as_bytes());
        h.write(self.target.code().as_bytes());
        h.write(system(self.task).as_bytes());
        h.write(self.body.as_bytes());
        h.write(extra.as_bytes());
        h.write_u32(CONTRACT_VERSION);
        h.finish()
    }
}

/// Bumped when the answer's schema or its parsing changes.
const CONTRACT_VERSION: u32 = 1;

/// The system message: the role and the answer's contract.
pub fn system(task: Task) -> &'static str {
    match task {
        Task::Moderate => {
            "Ты — модератор карточек товаров маркетплейса. Проверь карточку по правилам площадки и ответь \
             ТОЛЬКО одним JSON-объектом без пояснений и без markdown: \
             {\"ok\": true|false, \"issues\": [{\"field\": \"name|description|brand|model|attributes|images|category|other\", \
             \"severity\": \"error|warning|info\", \"message\": \"что не так, по-русски\"}], \
             \"suggestions\": {\"name\": \"…\"|null, \"description\": \"…\"|null, \"brand\": \"…\"|null, \"model\": \"…\"|null}}. \
             ok = true, только если ошибок нет. В suggestions — исправленные значения только тех полей, которые нужно изменить; \
             остальные null. Не выдумывай характеристики, которых нет в данных."
        }
        Task::Generate => {
            "Ты — копирайтер карточек товаров маркетплейса. Пиши только по данным о товаре, не выдумывай \
             характеристик и не обещай того, чего в данных нет. Ответь ТОЛЬКО одним JSON-объектом без пояснений \
             и без markdown: {\"description\": \"текст описания\", \"name\": \"название\"|null}."
        }
    }
}

fn default_body(task: Task, target: Target) -> &'static str {
    match (task, target) {
        (Task::Moderate, Target::Wb) => MODERATE_WB,
        (Task::Moderate, Target::Ozon) => MODERATE_OZON,
        (Task::Moderate, Target::Ym) => MODERATE_YM,
        (Task::Moderate, Target::Any) => MODERATE_ANY,
        (Task::Generate, _) => GENERATE,
    }
}

const MODERATE_WB: &str = "Проверь карточку для Wildberries.\n\
Правила Wildberries: название до {{name_max}} символов — тип товара, бренд и модель, без рекламы, \
без КАПСА и без повторов; описание от {{description_min}} до {{description_max}} символов, без ссылок, \
телефонов, e-mail и упоминаний других площадок; запрещены слова «лучший», «хит продаж», «скидка», «копия», \
«реплика» и обещания, которые нельзя проверить; характеристики в описании не должны противоречить \
заполненным.\n\nТовар:\nАртикул: {{sku}}\nНазвание: {{name}}\nБренд: {{brand}}\nМодель: {{model}}\n\
Категория: {{category}}\nФото: {{images}}\nХарактеристики:\n{{attributes}}\nОписание:\n{{description}}\n\n\
Что уже нашла автоматическая проверка:\n{{rule_issues}}";

const MODERATE_OZON: &str = "Проверь карточку для Ozon.\n\
Правила Ozon: название до {{name_max}} символов по схеме «тип товара + бренд + модель + ключевая \
характеристика», без рекламных слов («акция», «скидка», «лучший», «хит»), без КАПСА; аннотация до \
{{description_max}} символов, без ссылок, контактов, цен и упоминаний других площадок; описание \
не должно противоречить характеристикам; нельзя указывать «копия», «реплика», «аналог».\n\n\
Товар:\nАртикул: {{sku}}\nНазвание: {{name}}\nБренд: {{brand}}\nМодель: {{model}}\nКатегория: {{category}}\n\
Фото: {{images}}\nХарактеристики:\n{{attributes}}\nОписание:\n{{description}}\n\n\
Что уже нашла автоматическая проверка:\n{{rule_issues}}";

const MODERATE_YM: &str = "Проверь карточку для Яндекс Маркета.\n\
Правила Яндекс Маркета: название до {{name_max}} символов — тип, бренд, модель и важные параметры, без \
рекламы и КАПСА; описание обязательно, до {{description_max}} символов, без ссылок, контактов, цен, \
сравнений с конкурентами и упоминаний других площадок; только правдивые сведения о товаре.\n\n\
Товар:\nАртикул: {{sku}}\nНазвание: {{name}}\nБренд: {{brand}}\nМодель: {{model}}\nКатегория: {{category}}\n\
Фото: {{images}}\nХарактеристики:\n{{attributes}}\nОписание:\n{{description}}\n\n\
Что уже нашла автоматическая проверка:\n{{rule_issues}}";

const MODERATE_ANY: &str = "Проверь карточку для маркетплейса.\n\
Общие правила: понятное название до {{name_max}} символов без рекламы, КАПСА и повторов; описание до \
{{description_max}} символов без ссылок, контактов и упоминаний других площадок; описание не противоречит \
характеристикам; никаких «лучший», «хит продаж», «копия», «реплика».\n\n\
Товар:\nАртикул: {{sku}}\nНазвание: {{name}}\nБренд: {{brand}}\nМодель: {{model}}\nКатегория: {{category}}\n\
Фото: {{images}}\nХарактеристики:\n{{attributes}}\nОписание:\n{{description}}\n\n\
Что уже нашла автоматическая проверка:\n{{rule_issues}}";

const GENERATE: &str = "Напиши описание товара для площадки {{marketplace}}.\n\
Язык: {{language}}. Тон: {{tone}}. Длина описания: от {{description_min}} до {{description_max}} символов.\n\
Опиши назначение, материалы и ключевые характеристики, выгоду для покупателя; без ссылок, контактов, цен, \
рекламных слов («лучший», «хит», «скидка») и упоминаний других площадок. Если просят название — до \
{{name_max}} символов: тип товара, бренд, модель, главная характеристика.\n\n\
Товар:\nНазвание: {{name}}\nБренд: {{brand}}\nМодель: {{model}}\nКатегория: {{category}}\n\
Характеристики:\n{{attributes}}\nТекущее описание:\n{{description}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_valid_and_uses_the_product() {
        for task in [Task::Moderate, Task::Generate] {
            for target in Target::ALL {
                let p = Prompt::default_for(task, target);
                validate(&p.body).unwrap_or_else(|e| panic!("{task} {target}: {e}"));
                assert!(p.body.contains("{{name}}") && p.body.contains("{{attributes}}"), "{task} {target}");
            }
        }
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_the_known_ones() {
        let e = validate("Проверь {{name}} и {{цена}}").unwrap_err();
        assert!(e.message.contains("{{цена}}") && e.message.contains("{{description}}"), "{e}");
        assert!(validate("Проверь {{name").unwrap_err().message.contains("never closed"));
        assert!(validate("  ").is_err());
        validate("Без плейсхолдеров, но можно").unwrap();
    }

    #[test]
    fn rendering_fills_placeholders_and_hashes_follow_the_content() {
        let mut v = Vars::default();
        v.set("name", "Кроссовки");
        v.set("brand", "Nordic");
        assert_eq!(render("{{name}} / {{ brand }} / {{model}}", &v), "Кроссовки / Nordic / ");
        let h = v.hash();
        v.set("brand", "Nordic ");
        assert_ne!(v.hash(), h);
        let a = Prompt::default_for(Task::Moderate, Target::Wb);
        let mut b = a.clone();
        b.body.push('.');
        assert_ne!(a.hash(""), b.hash(""));
        assert_ne!(a.hash("ru"), a.hash("en"));
        assert_eq!(a.hash(""), Prompt::default_for(Task::Moderate, Target::Wb).hash(""));
    }
}
