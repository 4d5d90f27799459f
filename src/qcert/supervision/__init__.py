"""The regulator's supervision hub (国市监认证发〔2025〕72号 (十一)-(十三)): what certification
bodies report, and the analysis over it."""
