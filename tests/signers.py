"""Made-up parties of every type and signer kind, and MoUs with any number of them.

The people, numbers and decrees are invented for the tests; the forms (a Pj with his
Kepmendagri, a PT with akta and AHU pengesahan, NIPs in the 8-6-1-3 layout) are real.
"""

from __future__ import annotations

from pathlib import Path

MOU = "records/mou/pontianak-lan-2015.yaml"

# id -> party record (YAML text). Every type; each acting kind; with and without appointment.
PARTIES = {
    "pemkab-kubu-raya": """name: Pemerintah Kabupaten Kubu Raya
short_name: Pemkab Kubu Raya
type: pemerintah-daerah
address: Jalan Arteri Supadio Km 17, Sungai Raya, Kubu Raya
signatory:
  name: Sarwono Hadi
  title_suffix: S.Sos., M.Si.
  position: Bupati Kubu Raya
  nip: 19680314 199003 1 007
  acting: pj
  appointment: Keputusan Menteri Dalam Negeri Nomor 100.2.1.3-9999 Tahun 2024
""",
    "untan": """name: Universitas Tanjungpura
short_name: Untan
type: perguruan-tinggi
address: Jalan Profesor Dokter H. Hadari Nawawi, Pontianak
signatory:
  name: Ratna Dewi Kusumawati
  title_prefix: Prof. Dr. Ir.
  title_suffix: M.T., M.Sc.
  position: Rektor
  nip: 19700512 199603 2 004
  appointment: Keputusan Menteri Pendidikan dan Kebudayaan Nomor 12345/MPK.A/KP/2022
""",
    "pt-khatulistiwa": """name: PT Khatulistiwa Data Nusantara
short_name: Khatulistiwa Data
type: badan-usaha
address: Jalan Gajah Mada No. 21, Pontianak
signatory:
  name: Hendra Wijaya
  title_suffix: S.T., M.B.A.
  position: Direktur Utama
  appointment: >-
    Akta Pendirian Nomor 7 tanggal 3 Maret 2010 yang dibuat di hadapan Notaris Lina
    Marlina, S.H., M.Kn., dengan pengesahan Menteri Hukum dan Hak Asasi Manusia Nomor
    AHU-12345.AH.01.01.Tahun 2010
""",
    "pt-tanpa-akta": """name: PT Borneo Hijau Lestari
short_name: BHL
type: badan-usaha
address: Jalan Sultan Abdurrahman No. 5, Pontianak
signatory:
  name: Agus Salim
  position: Direktur Utama PT Borneo Hijau Lestari
""",
    "yayasan": """name: Yayasan Pendidikan Kapuas Raya
short_name: YPKR
type: lainnya
address: Jalan Imam Bonjol No. 9, Pontianak
signatory:
  name: Maria Ulfa
  title_prefix: Dra.
  position: Ketua
""",
    "bkpsdm": """name: Badan Kepegawaian Kota Singkawang
short_name: BKPSDM Singkawang
type: pemerintah-daerah
address: Jalan Firdaus No. 1, Singkawang
signatory:
  name: Yohanes Kristanto
  title_suffix: S.E.
  position: Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Singkawang
  nip: 19750101 200003 1 002
  acting: plt
""",
    "dinkes": """name: Dinas Kesehatan Kota Pontianak
short_name: Dinkes Pontianak
type: pemerintah-daerah
address: Jalan Sultan Hamid II No. 2, Pontianak
signatory:
  name: Nurhayati
  title_prefix: dr.
  title_suffix: M.Kes.
  position: Kepala Dinas Kesehatan Kota Pontianak
  nip: 19800229 200501 2 002
  acting: plh
  appointment: Surat Perintah Wali Kota Pontianak Nomor 800/15/BKPSDM-A tanggal 2 Januari 2024
""",
    "kemendagri": """name: Kementerian Dalam Negeri
short_name: Kemendagri
type: kementerian-lembaga
address: Jalan Medan Merdeka Utara No. 7, Jakarta Pusat
signatory:
  name: Bambang Setiawan
  title_prefix: Dr. H.
  title_suffix: M.Si.
  position: Direktur Jenderal Bina Pembangunan Daerah
  nip: 19660801 198803 1 001
""",
}

# Party lists for MoUs of 2 to 10 parties: the worked example's two, then the above in order.
ORDER = ["pemkot-pontianak", "lan", *PARTIES]


def write_parties(ws: Path) -> None:
    for party_id, text in PARTIES.items():
        (ws / f"records/parties/{party_id}.yaml").write_text(text, encoding="utf-8")


def mou_with(ws: Path, mou_id: str, parties: list[str]) -> Path:
    """Write records/mou/<mou_id>.yaml: the worked example with these parties; return its path."""
    text = (ws / MOU).read_text(encoding="utf-8")
    head, rest = text.split("parties:\n", 1)
    rest = rest[rest.index("recitals:"):]
    listed = "".join(f"  - party: {p}\n    number: null\n" for p in parties)
    path = ws / f"records/mou/{mou_id}.yaml"
    path.write_text(f"{head}parties:\n{listed}{rest}", encoding="utf-8")
    return path
