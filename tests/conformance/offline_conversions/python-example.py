# source: az6ru/metrika-docs ru/management/offline-conv.md, "Шаг 3. Передача данных", tab Python. Copied as published.
import requests
counter = 123456
token = "token"
file = open("offline-conversions.csv", "r").read()
url = "https://api-metrika.yandex.net/management/v1/counter/{}/offline_conversions/upload".format(counter)
headers = {
 "Authorization": "OAuth {}".format(token)
}
req = requests.post(url, headers=headers, files={"file":file})
