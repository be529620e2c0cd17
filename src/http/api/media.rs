//! `POST /api/v1/media`: upload an image for a post (multipart, field `file`). The answer's
//! `id` goes in a post's `images` with its alternative text.

use super::Staff;
use crate::{actions::media, context::AppContext, error::AppError};
use activitypub_federation::config::Data;
use axum::{Json, extract::Multipart, http::StatusCode};
use serde_json::{Value, json};

/// The body limit of the route: the largest image and the multipart framing.
pub const BODY_LIMIT: usize = media::MAX_IMAGE_BYTES + 64 * 1024;

pub async fn upload(
    _: Staff,
    data: Data<AppContext>,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let too_large = || {
        AppError::TooLarge(format!(
            "file: at most {} MB",
            media::MAX_IMAGE_BYTES / (1024 * 1024)
        ))
    };
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        AppError::Invalid(format!("form: {e}"))
                    }
                })?;
                if name == "file" {
                    file = Some(bytes);
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(AppError::Invalid(format!("form: {e}"))),
        }
    }
    let file =
        file.ok_or_else(|| AppError::Invalid("file: missing (multipart field `file`)".into()))?;
    let up = media::upload_image(&data, &file).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": up.id, "url": up.url, "type": up.media_type})),
    ))
}
