//! Images staff upload for their posts: checked by their first bytes, bounded in size, kept in
//! the database (every node serving the instance has them) and served at `/media/{id}`. A
//! post refers to them with their alternative text, which is required.

use crate::{
    context::AppContext,
    db,
    error::{AppError, AppResult, invalid},
    model::Attachment,
};
use serde::Deserialize;

/// Largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Images on one post (Mastodon shows four).
pub const MAX_IMAGES: usize = 4;
/// Longest alternative text (Mastodon's limit).
pub const MAX_ALT: usize = 1500;

/// An image of a post as submitted: an upload's id and its alternative text.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImageInput {
    pub media: String,
    pub alt: String,
}

/// The image type of a file, from its first bytes: PNG, JPEG or WebP.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A stored upload.
#[derive(Clone, Debug)]
pub struct Uploaded {
    pub id: String,
    pub url: url::Url,
    pub media_type: &'static str,
}

/// Stores an image for a post. Errors name the field `file`.
pub async fn upload_image(ctx: &AppContext, bytes: &[u8]) -> AppResult<Uploaded> {
    if bytes.is_empty() {
        return Err(invalid("file: empty"));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::TooLarge(format!(
            "file: at most {} MB",
            MAX_IMAGE_BYTES / (1024 * 1024)
        )));
    }
    let media_type =
        image_type(bytes).ok_or_else(|| invalid("file: must be a PNG, JPEG or WebP image"))?;
    let id = crate::context::new_public_id();
    db::media::insert(
        ctx.db.write(),
        &id,
        media_type,
        bytes,
        ctx.now().timestamp_millis(),
    )
    .await?;
    Ok(Uploaded {
        url: ctx.urls.media(&id),
        id,
        media_type,
    })
}

/// Checks the images of a post (count, alternative texts) without the database.
pub fn check(images: &[ImageInput]) -> AppResult<()> {
    if images.len() > MAX_IMAGES {
        return Err(invalid(format!("images: at most {MAX_IMAGES}")));
    }
    for (i, img) in images.iter().enumerate() {
        if img.media.trim().is_empty() {
            return Err(invalid(format!("images[{i}].media: the id of an upload")));
        }
        let alt = img.alt.trim();
        if alt.is_empty() {
            return Err(invalid(format!(
                "images[{i}].alt: describe the image for those who cannot see it"
            )));
        }
        if alt.chars().count() > MAX_ALT {
            return Err(invalid(format!(
                "images[{i}].alt: at most {MAX_ALT} characters"
            )));
        }
    }
    Ok(())
}

/// The attachments of a post's images: each upload must exist and be an image.
pub async fn attachments(ctx: &AppContext, images: &[ImageInput]) -> AppResult<Vec<Attachment>> {
    check(images)?;
    let mut out = Vec::new();
    for (i, img) in images.iter().enumerate() {
        let id = img.media.trim();
        let media_type = db::media::content_type(ctx.db.read(), id)
            .await?
            .filter(|t| t.starts_with("image/"))
            .ok_or_else(|| invalid(format!("images[{i}].media: no uploaded image {id:?}")))?;
        out.push(Attachment {
            kind: "Image".into(),
            url: ctx.urls.media(id).to_string(),
            media_type: Some(media_type),
            name: Some(crate::render::sanitize::plain_text(img.alt.trim())),
            ..Attachment::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(media: &str, alt: &str) -> ImageInput {
        ImageInput {
            media: media.into(),
            alt: alt.into(),
        }
    }

    #[test]
    fn each_image_needs_an_upload_and_an_alternative_text() {
        assert!(check(&[img("m1", "Une affiche")]).is_ok());
        let err = check(&[img("m1", "ok"), img("m2", "  ")]).unwrap_err();
        assert!(err.to_string().starts_with("images[1].alt"), "{err}");
        let err = check(&[img("", "x")]).unwrap_err();
        assert!(err.to_string().starts_with("images[0].media"), "{err}");
        let err = check(&[img("m", &"a".repeat(MAX_ALT + 1))]).unwrap_err();
        assert!(err.to_string().contains("1500"), "{err}");
        let five: Vec<_> = (0..5).map(|i| img(&format!("m{i}"), "x")).collect();
        assert!(check(&five).unwrap_err().to_string().starts_with("images:"));
    }

    #[test]
    fn images_are_recognised_by_their_first_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"%PDF-1.7"), None);
    }
}
