//! Minimal server-rendered pages (French). The full public site comes with the web issue;
//! these give browsers a readable page at every object id.

use super::{activitypub::time, sanitize::escape};
use crate::{
    context::AppContext,
    db::{actors::ActorRow, posts::PostRow},
};

fn layout(title: &str, alternate: Option<&str>, body: &str) -> String {
    let alt = alternate
        .map(|a| {
            format!(
                r#"<link rel="alternate" type="application/activity+json" href="{}">"#,
                escape(a)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n{alt}\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;\
         padding:0 1rem;line-height:1.5;color:#1a1a1a}}article{{border-top:1px solid #ccc;\
         padding:1rem 0}}a{{color:#0645ad}}a:focus{{outline:3px solid #000}}</style>\n\
         </head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

fn post_article(p: &PostRow) -> String {
    format!(
        "<article>\n<div>{}</div>\n<p><a href=\"{}\"><time datetime=\"{}\">{}</time></a></p>\n</article>",
        p.content,
        escape(&p.ap_id),
        time(p.published).to_rfc3339(),
        time(p.published).format("%d/%m/%Y %H:%M UTC")
    )
}

/// The centre's page: its profile and latest public posts.
pub fn actor_page(ctx: &AppContext, actor: &ActorRow, posts: &[PostRow]) -> String {
    let name = actor.name.clone().unwrap_or_else(|| actor.username.clone());
    let handle = format!("@{}@{}", actor.username, ctx.config.domain);
    let summary = actor
        .summary
        .as_deref()
        .map(super::sanitize::staff_content)
        .unwrap_or_default();
    let list: String = posts
        .iter()
        .map(post_article)
        .collect::<Vec<_>>()
        .join("\n");
    let body = format!(
        "<header>\n<h1>{}</h1>\n<p>{}</p>\n{}\n</header>\n<main>\n<h2>Publications</h2>\n{}\n</main>",
        escape(&name),
        escape(&handle),
        summary,
        if list.is_empty() {
            "<p>Aucune publication pour l’instant.</p>".to_string()
        } else {
            list
        }
    );
    layout(&name, Some(ctx.urls.actor().as_str()), &body)
}

/// One post.
pub fn post_page(ctx: &AppContext, actor: &ActorRow, post: &PostRow) -> String {
    let name = actor.name.clone().unwrap_or_else(|| actor.username.clone());
    let body = format!(
        "<header><p><a href=\"{}\">{}</a></p></header>\n<main>\n{}\n</main>",
        escape(ctx.urls.actor().as_str()),
        escape(&name),
        post_article(post)
    );
    layout(&format!("Publication de {name}"), Some(&post.ap_id), &body)
}

/// A deleted post.
pub fn gone_page(ctx: &AppContext) -> String {
    let body = format!(
        "<main><h1>Publication supprimée</h1><p><a href=\"{}\">Retour au centre</a></p></main>",
        escape(ctx.urls.actor().as_str())
    );
    layout("Publication supprimée", None, &body)
}
