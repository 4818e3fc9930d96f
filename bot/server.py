"""Placeholder gateway (replaced by the channel gateway): health and a REST proxy to Rasa."""
from fastapi import FastAPI
import httpx
from werkpunt.settings import get_settings

app = FastAPI()

@app.get("/health")
async def health():
    return {"status": "ok"}

@app.post("/api/messages")
async def messages(body: dict):
    async with httpx.AsyncClient(timeout=20) as client:
        r = await client.post(f"{get_settings().rasa_base_url}/webhooks/rest/webhook", json=body)
        return r.json()
